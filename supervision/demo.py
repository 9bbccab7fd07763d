"""Demo: the trainer supervises both demo cohorts: a weekly group series and an individual
session, with bookings, a waiting list and an anonymised case. Idempotent."""

import datetime as dt
import zoneinfo

from django.utils import timezone

from courses.models import Cohort
from lms.models import User

from . import services
from .models import SupervisionSession


def load(stdout):
    if SupervisionSession.objects.exists():
        return
    supervisor = User.objects.get(email="trainer@demo.opeka.local")
    ufa = Cohort.objects.filter(title__startswith="Поток 1").first()
    if ufa is None:
        return
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    first = (
        (timezone.now() + dt.timedelta(days=2))
        .astimezone(moscow)
        .replace(hour=15, minute=0, second=0, microsecond=0)
    )
    common = {
        "kind": SupervisionSession.Kind.GROUP,
        "cohort": ufa,
        "timezone": "Europe/Moscow",
        "format": SupervisionSession.Format.ONLINE,
        "online_url": "https://meet.example.org/supervision-ufa",
        "capacity": 4,
        "cancellation_hours": 24,
    }
    series = services.series_create(
        supervisor=supervisor,
        frequency="weekly",
        count=4,
        title="Групповая супервизия: разбор случаев",
        starts_at=first,
        ends_at=first + dt.timedelta(hours=2),
        booking_opens_at=timezone.now() - dt.timedelta(days=1),
        booking_closes_at=first - dt.timedelta(hours=2),
        **common,
    )
    individual_start = first + dt.timedelta(days=1)
    services.session_create(
        supervisor=supervisor,
        title="Индивидуальная супервизия",
        starts_at=individual_start,
        ends_at=individual_start + dt.timedelta(hours=1),
        booking_opens_at=timezone.now() - dt.timedelta(days=1),
        booking_closes_at=individual_start - dt.timedelta(hours=2),
        **{**common, "kind": SupervisionSession.Kind.INDIVIDUAL, "capacity": 1},
    )
    learners = User.objects.filter(
        enrollments__cohort=ufa, enrollments__status__in=["enrolled", "completed"]
    ).order_by("last_name")
    session = series[0]
    for learner in learners[:4]:
        services.booking_create(session=session, user=learner)
    for learner in learners[4:5]:
        services.waitlist_join(session=session, user=learner)
    booking = session.bookings.filter(user__email="specialist.ufa@demo.opeka.local").first()
    if booking:
        services.case_submit(
            booking=booking,
            title="Мама и сын 7 лет: пропуски школы",
            text="<p>Мама (34 года) одна воспитывает сына 7 лет в районном центре. Школа "
            "сообщила о пропусках. Мама работает посменно, бабушка помогает нерегулярно. "
            "Семья согласна на помощь, но не приходит на встречи.</p>"
            "<p><strong>Вопрос к группе:</strong> как выстроить план помощи вместе с "
            "мамой?</p>",
            confirmed=True,
        )
