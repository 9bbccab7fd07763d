"""Grow the bench data to the size of a national rollout, in bulk, on top of bench/data.py.

What a programme in every federal subject holds after a few years: all 89 regions with two
organisations and a coordinator each, 50 trainers, 20,000 specialists, 2,000 cohorts of the
demo course with six seminars each and attendance for every seminar held, five group
supervisions per cohort with 100,000 bookings between them, two translator teams per region
with 5,000 cascade events and 100,000 participations, and 50,000 certificates (for the
completed enrolments and, the rest, for cascade participations). The library's 10,000
practices come from bench/data.py already.

The demo people whose pages the bench opens keep what they had: the national rows go to other
trainers, cohorts and teams, as in a real programme where one trainer teaches a few dozen
cohorts, not all of them. Rows are written as the services would have left them (seats under
capacity, attendance only for seminars that have begun, certificates valid with a serial and
a code, persons keyed as ``Person.save`` keys them), then the cascade's waves are computed once
(``reach_refresh``), as the Celery task would after the last acceptance. No PDF files are
written: no page under test reads them.

Idempotent: the people have e-mails under ``@national.bench.opeka.local``; nothing is added if
one exists. Import only after ``django.setup()``.
"""

import datetime as dt
import random
import time
from itertools import cycle, islice

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from bench.data import STATUS_MIX, attendance_mark, seminars
from cascade.models import Event, Membership, Participation, Person, Team, person_key
from cascade.reach import reach_refresh
from certificates.models import Certificate, CertificateTemplate
from courses.demo import COURSE_SLUG
from courses.models import (
    SEAT_STATUSES,
    Attendance,
    Cohort,
    Course,
    CourseModule,
    Enrollment,
    SeminarSession,
)
from lms.models import Organisation, Region, Role, RoleAssignment, User
from supervision.models import Booking, SupervisionSession

DOMAIN = "@national.bench.opeka.local"
SPECIALISTS = 20_000  # people with the specialist role, the demo's and the bench's included
TRAINERS = 50
COHORTS = 2_000
SUPERVISIONS_PER_COHORT = 5
BOOKINGS = 100_000
TEAMS_PER_REGION = 2
MEMBERS_PER_TEAM = 5
EVENTS = 5_000
PARTICIPATIONS = 100_000
CERTIFICATES = 50_000
SERIES = "НБ"  # a series of its own, so the demo's serial counter never meets these numbers
BATCH = 2_000

# Names varied as in a real region: the cascade's duplicate search compares people of one
# surname, and a handful of surnames would make everyone look alike.
LAST_NAMES = (
    "Иванова Смирнова Кузнецова Попова Васильева Петрова Соколова Михайлова Новикова Фёдорова "
    "Морозова Волкова Алексеева Лебедева Семёнова Егорова Павлова Козлова Степанова Николаева "
    "Орлова Андреева Макарова Никитина Захарова Зайцева Соловьёва Борисова Яковлева Григорьева "
    "Романова Воробьёва Сергеева Кузьмина Фролова Александрова Дмитриева Королёва Гусева Киселёва "
    "Ильина Максимова Полякова Сорокина Виноградова Ковалёва Белова Медведева Антонова Тарасова "
    "Жукова Баранова Филиппова Комарова Давыдова Беляева Герасимова Богданова Осипова Сидорова "
    "Матвеева Титова Маркова Миронова Крылова Куликова Карпова Власова Мельникова Денисова "
    "Гаврилова Тихонова Казакова Афанасьева Данилова Савельева Тимофеева Фомина Чернова Абрамова "
    "Мартынова Ефимова Федотова Щербакова Назарова Калинина Исаева Чернышёва Быкова Маслова "
    "Родионова Коновалова Лазарева Воронина Климова Филатова Пономарёва Голубева Кудрявцева "
    "Галиева Хасанова Сафина Гарипова Шарипова Валиева Ахметова Юсупова Закирова Нуриева"
).split()
FIRST_NAMES = (
    "Анна Мария Елена Ольга Наталья Ирина Светлана Татьяна Екатерина Юлия Анастасия Марина "
    "Людмила Галина Надежда Оксана Евгения Дарья Ксения Алина Вера Любовь Лариса Валентина "
    "Алсу Гульнара Лилия Альбина Виктория Полина Кристина Софья Алёна Яна Инна Жанна"
).split()
MIDDLE_NAMES = (
    "Александровна Сергеевна Викторовна Игоревна Павловна Андреевна Владимировна Николаевна "
    "Михайловна Юрьевна Алексеевна Дмитриевна Петровна Анатольевна Васильевна Олеговна "
    "Геннадьевна Евгеньевна Ивановна Борисовна Рашидовна Ильдаровна Маратовна Валерьевна"
).split()

Status = Enrollment.Status


def grow() -> bool:
    """Add the national rows unless they are there already; True if anything was added."""
    if User.objects.filter(email__endswith=DOMAIN).exists():
        return False
    with transaction.atomic():
        _National().run()
    return True


def sizes() -> dict[str, int]:
    return {
        "regions with people": User.objects.values("region").distinct().count(),
        "specialists": RoleAssignment.objects.filter(role=Role.SPECIALIST).count(),
        "supervision sessions": SupervisionSession.objects.count(),
        "supervision bookings": Booking.objects.count(),
        "certificates": Certificate.objects.count(),
        "translator teams": Team.objects.count(),
        "cascade events": Event.objects.count(),
        "cascade participations": Participation.objects.count(),
        "cascade persons": Person.objects.count(),
    }


class _National:
    def __init__(self):
        self.rng = random.Random(2028)  # noqa: S311 - test data, not security
        self.now = timezone.now()
        self.course = Course.objects.get(slug=COURSE_SLUG)
        self.modules = list(CourseModule.objects.filter(course=self.course).order_by("order"))
        self.regions = list(Region.objects.order_by("code"))
        # Programme regions weigh four times as much: they started first.
        self.weights = [4 if r.in_programme else 1 for r in self.regions]
        self.serial = 0
        self.password = make_password(None)  # nobody signs in as these people

    def run(self):
        started = time.monotonic()
        self.organisations = self._organisations()
        self.coordinators = self._coordinators()
        self.trainers = self._people(TRAINERS, Role.TRAINER, "trainer")
        have = RoleAssignment.objects.filter(role=Role.SPECIALIST).count()
        self.specialists = self._people(SPECIALISTS - have, Role.SPECIALIST, "specialist")
        self._log("people", started)
        cohorts = self._cohorts(COHORTS - Cohort.objects.count())
        self._log("cohorts, seminars, enrolments and attendance", started)
        self._supervisions(cohorts)
        self._log("supervisions and bookings", started)
        participations = self._cascade()
        self._log("translator teams and cascade events", started)
        self._certificates(participations)
        self._log("certificates", started)
        reach_refresh()
        self._log("the cascade's waves", started)

    def _log(self, what, started):
        print(f"bench: national {what} ({time.monotonic() - started:.0f} s)", flush=True)

    # People --------------------------------------------------------------------------------

    def _organisations(self) -> dict[int, list[Organisation]]:
        have = {o.region_id for o in Organisation.objects.all()}
        Organisation.objects.bulk_create(
            Organisation(region=r, name=f"{name}, {r.name}", kind=kind)
            for r in self.regions
            if r.pk not in have
            for name, kind in (
                ("Орган опеки и попечительства", Organisation.Kind.AUTHORITY),
                ("Центр помощи семье и детям", Organisation.Kind.INSTITUTION),
            )
        )
        by_region = {}
        for o in Organisation.objects.order_by("pk"):
            by_region.setdefault(o.region_id, []).append(o)
        return by_region

    def _coordinators(self) -> dict[int, User]:
        have = dict(
            RoleAssignment.objects.filter(role=Role.COORDINATOR).values_list("region_id", "user")
        )
        missing = [r for r in self.regions if r.pk not in have]
        users = User.objects.bulk_create(self._user(r, "coordinator") for r in missing)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=u, role=Role.COORDINATOR, region=r)
            for u, r in zip(users, missing, strict=True)
        )
        have.update({r.pk: u.pk for u, r in zip(users, missing, strict=True)})
        return have

    def _people(self, count, role, word) -> list[User]:
        regions = self.rng.choices(self.regions, weights=self.weights, k=count)
        users = []
        for chunk in _chunks(regions, BATCH):
            users += User.objects.bulk_create(self._user(r, word) for r in chunk)
        RoleAssignment.objects.bulk_create(
            (RoleAssignment(user=u, role=role) for u in users), batch_size=BATCH
        )
        return users

    def _user(self, region, word) -> User:
        self.serial += 1
        return User(
            email=f"{word}{self.serial:05d}{DOMAIN}",
            last_name=self.rng.choice(LAST_NAMES),
            first_name=self.rng.choice(FIRST_NAMES),
            middle_name=self.rng.choice(MIDDLE_NAMES),
            region=region,
            organisation=self.rng.choice(self.organisations[region.pk]),
            position="Специалист отдела опеки и попечительства",
            password=self.password,
        )

    # Cohorts -------------------------------------------------------------------------------

    def _cohorts(self, count) -> list[Cohort]:
        """``count`` cohorts, each of one region, about half finished, a third running and the
        rest recruiting; every specialist is enrolled in one or two of their region's."""
        regions = self.rng.choices(self.regions, weights=self.weights, k=count)
        kinds = [Cohort.Status.FINISHED] * 5 + [Cohort.Status.RUNNING] * 3
        kinds += [Cohort.Status.RECRUITING] * 2
        cohorts = []
        for n, (region, status) in enumerate(zip(regions, cycle(kinds))):
            days = self.rng.randint(0, 900)
            starts = {
                Cohort.Status.FINISHED: self.now - dt.timedelta(days=120 + days),
                Cohort.Status.RUNNING: self.now - dt.timedelta(days=10 + days % 70),
                Cohort.Status.RECRUITING: self.now + dt.timedelta(days=20 + days % 60),
            }[status]
            cohorts.append(
                Cohort(
                    course=self.course,
                    title=f"Поток Н-{n + 1:04d} — {region.name}",
                    status=status,
                    capacity=40,
                    starts_on=starts.date(),
                    ends_on=(starts + dt.timedelta(days=90)).date(),
                    applications_open_at=starts - dt.timedelta(days=40),
                    applications_close_at=starts - dt.timedelta(days=1),
                    coordinator_id=self.coordinators[region.pk],
                )
            )
            cohorts[-1].region = region
            cohorts[-1].starts = starts
        Cohort.objects.bulk_create(cohorts, batch_size=BATCH)
        Cohort.regions.through.objects.bulk_create(
            (Cohort.regions.through(cohort=c, region=c.region) for c in cohorts), batch_size=BATCH
        )
        Cohort.trainers.through.objects.bulk_create(
            (
                Cohort.trainers.through(cohort=c, user=t)
                for c in cohorts
                for t in self.rng.sample(self.trainers, 2)
            ),
            batch_size=BATCH,
        )
        SeminarSession.objects.bulk_create(
            (
                seminar
                for c in cohorts
                for seminar in seminars(
                    c,
                    self.modules,
                    c.starts,
                    c.region.timezone,
                    "https://meet.example.org/opeka-national",
                )
            ),
            batch_size=BATCH,
        )
        self._enrol(cohorts)
        return cohorts

    def _enrol(self, cohorts):
        by_region = {}
        for u in self.specialists:
            by_region.setdefault(u.region_id, []).append(u)
        places = {}
        for c in cohorts:
            places.setdefault(c.region.pk, []).append(c)
        enrollments = []
        for region_id, people in by_region.items():
            own = places.get(region_id)
            if not own:
                continue  # a region without a cohort of its own: its people wait for one
            for u in people:
                for c in self.rng.sample(own, min(len(own), self.rng.choice([1, 1, 2]))):
                    enrollments.append(self._enrollment(c, u))
        Enrollment.objects.bulk_create(enrollments, batch_size=BATCH)
        sessions = {}
        for s in SeminarSession.objects.filter(cohort__in=cohorts, starts_at__lt=self.now).order_by(
            "starts_at"
        ):
            sessions.setdefault(s.cohort_id, []).append(s)
        attendance = (
            Attendance(
                session=s,
                enrollment=e,
                status=Attendance.Status.PRESENT
                if e.status == Status.COMPLETED
                else attendance_mark(self.rng),
                marked_at=s.ends_at,
            )
            for e in enrollments
            if e.status in SEAT_STATUSES
            for s in sessions.get(e.cohort_id, ())
        )
        for chunk in _chunks(attendance, BATCH):
            Attendance.objects.bulk_create(chunk)
        self.enrollments = enrollments

    def _enrollment(self, cohort, user) -> Enrollment:
        status = self.rng.choice(STATUS_MIX[cohort.status])
        applied = cohort.starts - dt.timedelta(days=30)
        return Enrollment(
            user=user,
            cohort=cohort,
            region_id=user.region_id,
            status=status,
            position=user.position,
            organisation_name=user.organisation.name,
            applied_at=applied,
            decided_at=applied + dt.timedelta(days=5) if status in SEAT_STATUSES else None,
            waitlisted_at=applied + dt.timedelta(days=5) if status == Status.WAITLISTED else None,
            completed_at=cohort.starts + dt.timedelta(days=91)
            if status == Status.COMPLETED
            else None,
        )

    # Supervision ---------------------------------------------------------------------------

    def _supervisions(self, cohorts):
        """Five group supervisions per cohort, booked by its seat holders: BOOKINGS in all."""
        seats = {}
        for e in self.enrollments:
            if e.status in SEAT_STATUSES:
                seats.setdefault(e.cohort_id, []).append(e.user_id)
        sessions = []
        for c in cohorts:
            supervisor = self.rng.choice(self.trainers)
            for k in range(SUPERVISIONS_PER_COHORT):
                starts = c.starts + dt.timedelta(days=7 + 14 * k, hours=3)
                sessions.append(
                    SupervisionSession(
                        supervisor=supervisor,
                        title=f"Групповая супервизия {k + 1}",
                        cohort=c,
                        capacity=max(len(seats.get(c.pk, ())), 1),
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(hours=2),
                        timezone=c.region.timezone,
                        format=SupervisionSession.Format.ONLINE,
                        online_url="https://meet.example.org/opeka-supervision",
                        booking_opens_at=starts - dt.timedelta(days=14),
                        booking_closes_at=starts - dt.timedelta(hours=2),
                    )
                )
        SupervisionSession.objects.bulk_create(sessions, batch_size=BATCH)
        # Each seat holder books each of their cohort's sessions with the same chance.
        share = min(BOOKINGS / max(sum(len(seats.get(s.cohort_id, ())) for s in sessions), 1), 1)
        bookings = []
        for s in sessions:
            held = s.ends_at < self.now
            for user_id in seats.get(s.cohort_id, ()):
                if self.rng.random() >= share:
                    continue
                status = Booking.Status.BOOKED
                if held:
                    status = self.rng.choices(
                        [Booking.Status.ATTENDED, Booking.Status.ABSENT, Booking.Status.EXCUSED],
                        weights=[85, 10, 5],
                    )[0]
                bookings.append(
                    Booking(
                        session=s,
                        user_id=user_id,
                        status=status,
                        booked_at=s.booking_opens_at + dt.timedelta(hours=1),
                    )
                )
        for chunk in _chunks(bookings, BATCH):
            Booking.objects.bulk_create(chunk)

    # Cascade -------------------------------------------------------------------------------

    def _cascade(self) -> list[Participation]:
        """Two teams per region led and staffed by its graduates, EVENTS events between them,
        PARTICIPATIONS participations of people from the teams' own regions."""
        graduates = {}
        for e in self.enrollments:
            if e.status == Status.COMPLETED:
                graduates.setdefault(e.region_id, set()).add(e.user_id)
        teams, members = [], []
        for r in self.regions:
            pool = sorted(graduates.get(r.pk, ()))
            if len(pool) < MEMBERS_PER_TEAM:
                continue
            for k in range(TEAMS_PER_REGION):
                crew = self.rng.sample(pool, MEMBERS_PER_TEAM)
                team = Team(
                    name=f"Команда трансляторов {k + 1} — {r.name}",
                    region=r,
                    lead_id=crew[0],
                    status=Team.Status.ACTIVE,
                    created_at=self.now - dt.timedelta(days=400),
                )
                team.crew = crew
                teams.append(team)
        Team.objects.bulk_create(teams)
        for team in teams:
            members += [
                Membership(team=team, user_id=u, joined_on=team.created_at.date())
                for u in team.crew
            ]
        Membership.objects.bulk_create(members)

        events = []
        for n, team in enumerate(islice(cycle(teams), EVENTS)):
            starts = self.now - dt.timedelta(days=self.rng.randint(-30, 360), hours=n % 7)
            held = starts < self.now - dt.timedelta(days=1)
            status = (
                self.rng.choices(
                    [Event.Status.ACCEPTED, Event.Status.REPORTED, Event.Status.RETURNED],
                    weights=[85, 10, 5],
                )[0]
                if held
                else Event.Status.PLANNED
            )
            event = Event(
                team=team,
                title=f"Семинар для специалистов района № {n % 40 + 1}",
                format=Event.Format.IN_PERSON,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=6),
                municipality=f"Муниципальный район № {n % 40 + 1}",
                venue="Центр помощи семье и детям",
                expected_participants=20,
                hours=6,
                status=status,
                invite_code=f"N{n:07d}",
                reported_at=starts + dt.timedelta(days=1) if held else None,
                reported_by_id=team.crew[1] if held else None,
                reviewed_at=starts + dt.timedelta(days=3) if held else None,
                reviewed_by_id=self.coordinators[team.region_id] if held else None,
            )
            event.trainer_ids = self.rng.sample(team.crew, 2)
            events.append(event)
        Event.objects.bulk_create(events, batch_size=BATCH)
        Event.trainers.through.objects.bulk_create(
            (Event.trainers.through(event=e, user_id=u) for e in events for u in e.trainer_ids),
            batch_size=BATCH,
        )
        Event.modules.through.objects.bulk_create(
            (
                Event.modules.through(event=e, coursemodule=m)
                for e in events
                for m in self.rng.sample(self.modules, 2)
            ),
            batch_size=BATCH,
        )

        # About seven persons in ten are met once; the rest come back to a second event.
        per_event = PARTICIPATIONS // EVENTS
        persons, participations = [], []
        pools = {}
        for event in events:
            pool = pools.setdefault(event.team.region_id, [])
            for _ in range(per_event):
                person = self.rng.choice(pool) if pool and self.rng.random() < 0.3 else None
                if person is None or any(p.event is event for p in person.seen):
                    person = self._person(event.team.region)
                    persons.append(person)
                    pool.append(person)
                participation = Participation(
                    event=event,
                    person=person,
                    source=Participation.Source.LIST,
                    confirmed_at=event.reported_at,
                    created_at=event.reported_at or event.starts_at,
                )
                person.seen.append(participation)
                participations.append(participation)
        for chunk in _chunks(persons, BATCH):
            Person.objects.bulk_create(chunk)
        for chunk in _chunks(participations, BATCH):
            Participation.objects.bulk_create(chunk)
        return [p for p in participations if p.event.status == Event.Status.ACCEPTED]

    def _person(self, region) -> Person:
        organisation = self.rng.choice(self.organisations[region.pk]).name
        full_name = " ".join(
            self.rng.choice(names) for names in (LAST_NAMES, FIRST_NAMES, MIDDLE_NAMES)
        )
        person = Person(
            region=region,
            full_name=full_name,
            organisation=organisation,
            position="Специалист",
            key=person_key(full_name, organisation),
        )
        person.seen = []
        return person

    # Certificates --------------------------------------------------------------------------

    def _certificates(self, participations):
        """One for every completed enrolment, the rest to CERTIFICATES for accepted
        participations."""
        course = CertificateTemplate.objects.get(
            kind=CertificateTemplate.Kind.COURSE, is_default=True
        )
        cascade = CertificateTemplate.objects.get(
            kind=CertificateTemplate.Kind.CASCADE, is_default=True
        )
        users = {u.pk: u for u in self.specialists}
        certificates = []
        for e in self.enrollments:
            if e.status != Status.COMPLETED:
                continue
            user = users[e.user_id]
            certificates.append(
                self._certificate(
                    template=course,
                    holder=user,
                    holder_name=user.get_full_name(),
                    region_id=e.region_id,
                    organisation_name=e.organisation_name,
                    enrollment=e,
                    subject=self.course.title,
                    hours=self.course.academic_hours,
                    date_from=e.cohort.starts_on,
                    date_to=e.cohort.ends_on,
                    issued_on=e.completed_at.date(),
                )
            )
        left = max(CERTIFICATES - Certificate.objects.count() - len(certificates), 0)
        for p in self.rng.sample(participations, min(left, len(participations))):
            day = p.event.starts_at.date()
            certificates.append(
                self._certificate(
                    template=cascade,
                    holder=None,
                    holder_name=p.person.full_name,
                    region_id=p.event.team.region_id,
                    organisation_name=p.person.organisation,
                    participation=p,
                    subject=p.event.title,
                    hours=p.event.hours,
                    date_from=day,
                    date_to=day,
                    issued_on=p.event.reviewed_at.date(),
                )
            )
        for chunk in _chunks(certificates, BATCH):
            Certificate.objects.bulk_create(chunk)

    def _certificate(self, **fields) -> Certificate:
        self.serial += 1
        issued = fields["issued_on"]
        moment = timezone.make_aware(dt.datetime.combine(issued, dt.time(9)))
        return Certificate(
            serial=f"{SERIES}-{issued.year}-{self.serial:06d}",
            status=Certificate.Status.VALID,
            created_at=moment,
            queued_at=moment,
            emailed_at=moment,
            **fields,
        )


def _chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
