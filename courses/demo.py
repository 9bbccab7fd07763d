"""Demo: the course «Семейно-ориентированный подход…», two cohorts in different regions with
sessions, attendance and learners at every stage. Idempotent."""

import datetime as dt
import zoneinfo

from allauth.account.models import EmailAddress
from django.utils import timezone

from lms import services as lms_services
from lms.demo import DEMO_PASSWORD
from lms.models import Organisation, Region, Role, User

from . import services
from .models import Cohort, Course, CourseModule, Enrollment, SeminarSession

COURSE_SLUG = "family-centred-approach"
MODULES = [
    "Современные функции органов опеки в системе защиты детства",
    "Семейно-ориентированный подход: принципы и инструменты",
    "Раннее выявление семейного неблагополучия и работа со случаем",
    "Помощь кровной семье в трудной жизненной ситуации",
    "Сопровождение замещающих семей",
    "Межведомственное взаимодействие и командная работа",
]
# Extra learners of the Ufa cohort: (e-mail, фамилия, имя, отчество, stage)
LEARNERS = [
    ("gareeva@demo.opeka.local", "Гареева", "Лилия", "Рамилевна", "completed"),
    ("nikitina@demo.opeka.local", "Никитина", "Оксана", "Владимировна", "enrolled"),
    ("sharipov@demo.opeka.local", "Шарипов", "Айдар", "Ринатович", "at_risk"),
    ("morozova@demo.opeka.local", "Морозова", "Татьяна", "Юрьевна", "enrolled"),
    ("yakupova@demo.opeka.local", "Якупова", "Гульнара", "Фаритовна", "waitlisted"),
    ("belova@demo.opeka.local", "Белова", "Наталья", "Андреевна", "pending"),
]


def load(stdout):
    if Course.objects.filter(slug=COURSE_SLUG).exists():
        return
    trainer = User.objects.get(email="trainer@demo.opeka.local")
    course = Course.objects.create(
        slug=COURSE_SLUG,
        title="Семейно-ориентированный подход в работе органов опеки и попечительства",
        description=(
            "Программа повышения квалификации для специалистов органов опеки и попечительства: "
            "современные функции ООП в профилактике социального сиротства, работа со случаем, "
            "помощь кровным и замещающим семьям на разных этапах кризиса. Семинары-тренинги "
            "чередуются с супервизиями, на которых специалисты разбирают свои случаи."
        ),
        audience="Специалисты органов опеки и попечительства",
        academic_hours=72,
        completion_attendance_percent=75,
        completion_supervisions=0,
        completion_modules_percent=100,
    )
    modules = [
        CourseModule.objects.create(course=course, order=n, title=title)
        for n, title in enumerate(MODULES, start=1)
    ]
    today = timezone.now()
    ufa = demo_cohort(
        course,
        "Поток 1 — Республика Башкортостан",
        ["02"],
        trainer,
        starts=today - dt.timedelta(days=73),
        status=Cohort.Status.RUNNING,
        capacity=8,
    )
    nsk = demo_cohort(
        course,
        "Поток 2 — Новосибирская и Омская области",
        ["54", "55"],
        trainer,
        starts=today + dt.timedelta(days=20),
        status=Cohort.Status.RECRUITING,
        capacity=25,
    )
    ufa_zone = zoneinfo.ZoneInfo("Asia/Yekaterinburg")
    sessions = []
    for n, module in enumerate(modules):
        # Fortnightly from ten weeks ago: five seminars have taken place, the sixth is today.
        day = (today - dt.timedelta(days=70) + dt.timedelta(days=14 * n)).astimezone(ufa_zone)
        start = day.replace(hour=10, minute=0, second=0, microsecond=0)
        sessions.append(
            SeminarSession.objects.create(
                cohort=ufa,
                title=module.title,
                module=module,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=6),
                timezone="Asia/Yekaterinburg",
                format=SeminarSession.Format.IN_PERSON
                if n % 2 == 0
                else SeminarSession.Format.ONLINE,
                venue="Уфа, ул. Ленина, 2, учебный центр" if n % 2 == 0 else "",
                online_url="" if n % 2 == 0 else "https://meet.example.org/opeka-ufa",
            )
        )
    nsk_zone = zoneinfo.ZoneInfo("Asia/Novosibirsk")
    for n, module in enumerate(modules[:2]):
        start = (
            (today + dt.timedelta(days=21 + 14 * n))
            .astimezone(nsk_zone)
            .replace(hour=10, minute=0, second=0, microsecond=0)
        )
        SeminarSession.objects.create(
            cohort=nsk,
            title=module.title,
            module=module,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=6),
            timezone="Asia/Novosibirsk",
            format=SeminarSession.Format.ONLINE,
            online_url="https://meet.example.org/opeka-nsk",
        )
    past = [s for s in sessions if s.ends_at < today]

    ufa_specialist = User.objects.get(email="specialist.ufa@demo.opeka.local")
    main = _enroll(ufa_specialist, ufa)
    services.attendance_mark(session=past[0], marks={main.pk: "present"}, by=trainer)
    services.attendance_mark(session=past[1], marks={main.pk: "present"}, by=trainer)
    services.module_mark_studied(user=ufa_specialist, module=modules[0])

    organisation = Organisation.objects.filter(region__code="02").first()
    for email, last, first, middle, stage in LEARNERS:
        user = demo_person(email, last, first, middle, organisation)
        if stage in ("pending", "waitlisted"):
            Enrollment.objects.create(
                user=user,
                cohort=ufa,
                region=user.region,
                position=user.position,
                organisation_name=organisation.name,
                status=stage,
                waitlisted_at=timezone.now() if stage == "waitlisted" else None,
            )
            continue
        enrollment = _enroll(user, ufa)
        mark = "absent" if stage == "at_risk" else "present"
        for session in past:
            services.attendance_mark(session=session, marks={enrollment.pk: mark}, by=trainer)
        if stage == "completed":  # five of six seminars attended meet the 75 % rule
            for module in modules:
                services.module_mark_studied(user=user, module=module)

    nsk_specialist = User.objects.get(email="specialist.nsk@demo.opeka.local")
    services.enrollment_apply(
        user=nsk_specialist,
        cohort=nsk,
        position=nsk_specialist.position,
        organisation_name=str(nsk_specialist.organisation),
        motivation="Работаю с замещающими семьями три года, хочу освоить работу со случаем.",
    )
    omsk_specialist = User.objects.get(email="specialist.omsk@demo.opeka.local")
    _enroll(omsk_specialist, nsk)


def demo_cohort(course, title, codes, trainer, *, starts, status, capacity):
    cohort = Cohort.objects.create(
        course=course,
        title=title,
        status=status,
        capacity=capacity,
        starts_on=starts.date(),
        ends_on=(starts + dt.timedelta(days=90)).date(),
        applications_open_at=starts - dt.timedelta(days=40),
        applications_close_at=starts - dt.timedelta(days=3)
        if status != Cohort.Status.RECRUITING
        else starts - dt.timedelta(days=1),
        coordinator=User.objects.filter(
            role_assignments__role=Role.COORDINATOR, role_assignments__region__code=codes[0]
        ).first(),
    )
    cohort.regions.set(Region.objects.filter(code__in=codes))
    cohort.trainers.add(trainer)
    return cohort


def _enroll(user, cohort):
    return Enrollment.objects.create(
        user=user,
        cohort=cohort,
        region=user.region,
        status=Enrollment.Status.ENROLLED,
        position=user.position,
        organisation_name=str(user.organisation),
        decided_at=timezone.now(),
    )


def demo_person(email, last, first, middle, organisation):
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "region": organisation.region,
            "organisation": organisation,
            "position": "Специалист отдела опеки и попечительства",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        lms_services.consent_record(user=user, text=lms_services.consent_text_current())
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        lms_services.role_grant(user=user, role=Role.SPECIALIST)
    return user
