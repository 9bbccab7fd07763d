"""Grow the demo programme to the "large" size the benchmark measures, in bulk.

On top of ``manage.py demo``: 1,000 more learners. 100 join the running Bashkortostan cohort
(the roster under test grows to about a hundred people) and 20 the recruiting Novosibirsk one;
the other 880 fill 40 more cohorts of the demo course across the seven programme regions
(finished, running and recruiting), 22 learners each, with six seminars per cohort, attendance
for every seminar already held and module progress. Capacities are raised to hold the seats
taken, so the data keeps the platform's invariants.

Idempotent: the learners have e-mails under ``@bench.opeka.local``; if any exist, nothing is
added. Import only after ``django.setup()``.
"""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from courses.demo import COURSE_SLUG
from courses.models import (
    SEAT_STATUSES,
    Attendance,
    Cohort,
    Course,
    CourseModule,
    Enrollment,
    ModuleProgress,
    SeminarSession,
)
from lms.demo import ORGANISATIONS
from lms.models import Organisation, Region, Role, RoleAssignment, User

DOMAIN = "@bench.opeka.local"
UFA_EXTRA = 100
NSK_EXTRA = 20
EXTRA_COHORTS = 40
PER_COHORT = 22
SESSIONS_PER_COHORT = 6

LAST_NAMES = ["Иванова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Петрова", "Соколова"]
FIRST_NAMES = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Светлана", "Татьяна"]
MIDDLE_NAMES = ["Александровна", "Сергеевна", "Викторовна", "Игоревна", "Павловна"]

Status = Enrollment.Status


def grow() -> bool:
    """Add the bench data unless it is there already; True if it was added."""
    if User.objects.filter(email__endswith=DOMAIN).exists():
        return False
    with transaction.atomic():
        _Grower().run()
    return True


def sizes() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "cohorts": Cohort.objects.count(),
        "seminar sessions": SeminarSession.objects.count(),
        "enrolments (all statuses)": Enrollment.objects.count(),
        "enrolments holding a seat": Enrollment.objects.filter(status__in=SEAT_STATUSES).count(),
        "attendance rows": Attendance.objects.count(),
        "module progress rows": ModuleProgress.objects.count(),
    }


class _Grower:
    def __init__(self):
        self.rng = random.Random(2026)  # noqa: S311 - test data, not security
        self.now = timezone.now()
        self.course = Course.objects.get(slug=COURSE_SLUG)
        self.modules = list(CourseModule.objects.filter(course=self.course).order_by("order"))
        self.trainer = User.objects.get(email="trainer@demo.opeka.local")
        self.regions = {r.code: r for r in Region.objects.filter(code__in=ORGANISATIONS)}
        self.organisations = {
            code: list(Organisation.objects.filter(region__code=code)) for code in ORGANISATIONS
        }
        self.coordinators = {
            a.region.code: a.user
            for a in RoleAssignment.objects.filter(role=Role.COORDINATOR).select_related(
                "region", "user"
            )
        }
        self.serial = 0

    def run(self):
        demo = Cohort.objects.filter(course=self.course).order_by("pk")
        ufa = demo.filter(regions__code="02", status=Cohort.Status.RUNNING).first()
        nsk = demo.filter(regions__code="54").first()
        self._fill(ufa, ["02"], UFA_EXTRA)
        self._fill(nsk, ["54", "55"], NSK_EXTRA)
        codes = list(ORGANISATIONS)
        kinds = [Cohort.Status.FINISHED, Cohort.Status.RUNNING, Cohort.Status.RECRUITING]
        for n in range(EXTRA_COHORTS):
            code = codes[n % len(codes)]
            cohort = self._cohort(n, code, kinds[n % len(kinds)])
            self._fill(cohort, [code], PER_COHORT)
        # Keep "seats taken never exceed capacity" true for the data added in bulk.
        for cohort in Cohort.objects.annotate(
            taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_STATUSES))
        ).filter(taken__gt=F("capacity")):
            cohort.capacity = cohort.taken
            cohort.save(update_fields=["capacity"])

    def _cohort(self, n, code, status):
        starts = {
            Cohort.Status.FINISHED: self.now - dt.timedelta(days=200 + n),
            Cohort.Status.RUNNING: self.now - dt.timedelta(days=40 + n % 10),
            Cohort.Status.RECRUITING: self.now + dt.timedelta(days=30 + n % 10),
        }[status]
        cohort = Cohort.objects.create(
            course=self.course,
            title=f"Поток Б-{n + 1:02d} — {self.regions[code].name}",
            status=status,
            capacity=25,
            starts_on=starts.date(),
            ends_on=(starts + dt.timedelta(days=90)).date(),
            applications_open_at=starts - dt.timedelta(days=40),
            applications_close_at=starts - dt.timedelta(days=1),
            coordinator=self.coordinators.get(code),
        )
        cohort.regions.add(self.regions[code])
        cohort.trainers.add(self.trainer)
        SeminarSession.objects.bulk_create(
            SeminarSession(
                cohort=cohort,
                title=module.title,
                module=module,
                starts_at=starts + dt.timedelta(days=14 * k),
                ends_at=starts + dt.timedelta(days=14 * k, hours=6),
                timezone=self.regions[code].timezone,
                format=SeminarSession.Format.ONLINE,
                online_url="https://meet.example.org/opeka-bench",
            )
            for k, module in enumerate(self.modules[:SESSIONS_PER_COHORT])
        )
        return cohort

    def _statuses(self, cohort, count):
        """A plausible mix for the cohort's stage: mostly seats, some applications waiting."""
        if cohort.status == Cohort.Status.FINISHED:
            mix = [Status.COMPLETED] * 17 + [Status.ENROLLED] * 3
        elif cohort.status == Cohort.Status.RUNNING:
            mix = [Status.ENROLLED] * 17 + [Status.WAITLISTED, Status.PENDING]
        else:
            mix = [Status.ENROLLED] * 11 + [Status.PENDING] * 9
        return [mix[k % len(mix)] for k in range(count)]

    def _fill(self, cohort, codes, count):
        users = User.objects.bulk_create(self._person(codes[k % len(codes)]) for k in range(count))
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=u, role=Role.SPECIALIST) for u in users
        )
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(
                user=u,
                cohort=cohort,
                region_id=u.region_id,
                status=status,
                position=u.position,
                organisation_name=u.organisation.name,
                applied_at=self.now - dt.timedelta(days=60),
                decided_at=self.now - dt.timedelta(days=50) if status in SEAT_STATUSES else None,
                waitlisted_at=self.now - dt.timedelta(days=50)
                if status == Status.WAITLISTED
                else None,
                completed_at=self.now - dt.timedelta(days=5)
                if status == Status.COMPLETED
                else None,
            )
            for u, status in zip(users, self._statuses(cohort, count), strict=True)
        )
        held = list(cohort.sessions.filter(ends_at__lt=self.now).order_by("starts_at"))
        attendance, progress = [], []
        for e in enrollments:
            if e.status not in SEAT_STATUSES:
                continue
            done = e.status == Status.COMPLETED
            for session in held:
                attendance.append(
                    Attendance(
                        session=session,
                        enrollment=e,
                        status=Attendance.Status.PRESENT if done else self._mark(),
                        marked_by=self.trainer,
                        marked_at=session.ends_at,
                    )
                )
            studied = len(self.modules) if done else self.rng.randint(0, len(held))
            progress += [
                ModuleProgress(user_id=e.user_id, module=m) for m in self.modules[:studied]
            ]
        Attendance.objects.bulk_create(attendance)
        ModuleProgress.objects.bulk_create(progress)

    def _mark(self):
        return self.rng.choices(
            [Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED],
            weights=[85, 10, 5],
        )[0]

    def _person(self, code):
        self.serial += 1
        return User(
            email=f"learner{self.serial:04d}{DOMAIN}",
            last_name=self.rng.choice(LAST_NAMES),
            first_name=self.rng.choice(FIRST_NAMES),
            middle_name=self.rng.choice(MIDDLE_NAMES),
            region=self.regions[code],
            organisation=self.rng.choice(self.organisations[code]),
            position="Специалист отдела опеки и попечительства",
            password=make_password(None),  # cannot sign in; the bench signs in demo people
        )
