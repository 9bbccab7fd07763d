"""Demo: a translator team in each of the seven programme regions, formed from a first
graduating cohort, with accepted and pending events; three waves in Bashkortostan, where the
demo specialist, trained at a cascade event, leads a second-round team. Everything goes through
cascade.services, as a coordinator and the teams would. Idempotent."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses.demo import COURSE_SLUG, demo_cohort, demo_person
from courses.models import Cohort, Course, Enrollment
from lms.demo import ORGANISATIONS
from lms.models import Organisation, Region, User

from . import services
from .models import Event, Team

GRADUATES = {  # region: (ФИО of the lead, ФИО of a member)
    "02": (("Валиева", "Эльвира", "Маратовна"), ("Сафин", "Руслан", "Ильдарович")),
    "74": (("Кравцова", "Елена", "Юрьевна"), ("Зуева", "Марина", "Олеговна")),
    "45": (("Шевченко", "Ольга", "Николаевна"), ("Лаптева", "Анна", "Сергеевна")),
    "55": (("Гончаренко", "Ирина", "Викторовна"), ("Ткачук", "Наталья", "Павловна")),
    "54": (("Малышева", "Светлана", "Игоревна"), ("Фролов", "Андрей", "Викторович")),
    "70": (("Рябова", "Людмила", "Геннадьевна"), ("Осипова", "Дарья", "Андреевна")),
    "50": (("Степанова", "Юлия", "Александровна"), ("Киселёва", "Вера", "Ивановна")),
}
TOWNS = {
    "02": "г. Уфа",
    "74": "г. Челябинск",
    "45": "г. Курган",
    "55": "г. Омск",
    "54": "г. Новосибирск",
    "70": "г. Томск",
    "50": "г. о. Подольск",
}
LISTED = [
    ("Абрамова Татьяна Викторовна", "специалист по опеке"),
    ("Борисова Галина Петровна", "психолог"),
    ("Власова Инна Сергеевна", "социальный педагог"),
    ("Григорьева Алла Николаевна", "специалист по социальной работе"),
    ("Денисова Оксана Юрьевна", "главный специалист"),
]


def load(stdout):
    course = Course.objects.filter(slug=COURSE_SLUG).first()
    if course is None or Team.objects.exists():
        return
    admin = User.objects.filter(is_superuser=True).first() or User.objects.get(
        email="admin@demo.opeka.local"
    )
    modules = list(course.modules.order_by("order"))
    now = timezone.now()
    cohort = demo_cohort(
        course,
        "Первый выпуск — семь регионов",
        list(GRADUATES),
        User.objects.get(email="trainer@demo.opeka.local"),
        starts=now - dt.timedelta(days=300),
        status=Cohort.Status.FINISHED,
        capacity=20,
    )
    teams = {}
    for code, people in GRADUATES.items():
        organisation = Organisation.objects.filter(region__code=code).order_by("pk").first()
        graduates = []
        for n, (last, first, middle) in enumerate(people, start=1):
            user = demo_person(
                f"graduate.{code}.{n}@demo.opeka.local", last, first, middle, organisation
            )
            Enrollment.objects.create(
                user=user,
                cohort=cohort,
                region=user.region,
                status=Enrollment.Status.COMPLETED,
                position=user.position,
                organisation_name=organisation.name,
                decided_at=now - dt.timedelta(days=320),
                completed_at=now - dt.timedelta(days=200),
            )
            graduates.append(user)
        region = Region.objects.get(code=code)
        teams[code] = services.team_create(
            by=admin,
            region=region,
            name=f"Команда трансляторов: {region.name}",
            lead=graduates[0],
            members=[(graduates[1], "")],
            modules=modules[:3],
        )
    for index, (code, team) in enumerate(teams.items()):
        organisations = [name for name, _kind in ORGANISATIONS[code]]
        rows = [
            (name, organisations[n % len(organisations)], position)
            for n, (name, position) in enumerate(LISTED[: 3 + index % 3])
        ]
        _event(team, modules[0], days_ago=90, rows=rows, accept_by=admin)
        _event(
            team, modules[1], days_ago=5, rows=rows[:2], accept_by=None, title="Работа со случаем"
        )
    _three_waves(teams["02"], modules, admin)


def _event(team, module, *, days_ago, rows=(), accept_by, title=None, trainer=None, joined=()):
    trainer = trainer or team.lead
    start = (timezone.now() - dt.timedelta(days=days_ago)).replace(
        minute=0, second=0, microsecond=0
    )
    event = services.event_plan(
        team=team,
        by=trainer,
        trainers=[trainer],
        modules=[module],
        title=title or f"Семинар «{module.title}»",
        format=Event.Format.IN_PERSON,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        municipality=TOWNS[team.region.code],
        venue="Ресурсный центр",
        expected_participants=max(len(rows), 1) + 2,
        hours=6,
    )
    for user in joined:
        services.event_join(code=event.invite_code, user=user)
    if rows:
        text = "ФИО;Организация;Должность\n" + "\n".join(";".join(row) for row in rows)
        services.participants_upload(
            event=event, uploaded=SimpleUploadedFile("list.csv", text.encode()), by=trainer
        )
    services.event_report(event=event, by=trainer, outcome="Провели занятие, разобрали случаи.")
    if accept_by is not None:
        services.event_review(event=event, by=accept_by, accept=True)
    return event


def _three_waves(team, modules, admin):
    """Bashkortostan: the demo specialist is trained by the first team (wave 2), then leads a
    second-round team whose accepted event trains wave 3."""
    specialist = User.objects.get(email="specialist.ufa@demo.opeka.local")
    _event(
        team,
        modules[2],
        days_ago=60,
        accept_by=admin,
        joined=[specialist],
        title="Помощь кровной семье: разбор случаев",
    )
    second = services.team_create(
        by=admin,
        region=team.region,
        name="Уфимская команда второго круга",
        lead=specialist,
        modules=modules[2:4],
    )
    organisation = ORGANISATIONS["02"][1][0]
    _event(
        second,
        modules[2],
        days_ago=20,
        accept_by=admin,
        rows=[
            ("Ахметова Зарина Ильдаровна", organisation, "специалист"),
            ("Хабибуллина Айгуль Рифовна", organisation, "психолог"),
            ("Хабибуллина А. Р.", organisation, "психолог"),  # a near-duplicate to merge
        ],
        title="Раннее выявление неблагополучия: второй круг",
    )
