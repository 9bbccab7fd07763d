"""Two coordinators approve the last seat at the same moment: exactly one wins, on PostgreSQL,
with real parallel requests (each thread its own connection and transaction)."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrollment
from tests.factories import make_cohort, make_user
from tests.parallel import run_in_parallel

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_coordinators_approving_the_last_seat_get_one_seat(postgres):
    cohort = make_cohort(capacity=1, regions=("54",))
    coordinators = [
        make_user(f"coord{n}@example.org", role="coordinator", region_code="54", totp=True)
        for n in range(2)
    ]
    applications = [
        Enrollment.objects.create(
            user=make_user(f"learner{n}@example.org"),
            cohort=cohort,
            region=cohort.regions.get(),
            position="Специалист",
            organisation_name="ООП",
        )
        for n in range(2)
    ]
    clients = []
    for coordinator in coordinators:
        client = Client()
        client.force_login(coordinator)
        clients.append(client)

    def approve(client, enrollment):
        return lambda: client.post(
            reverse("courses:enrollment_decide", args=[enrollment.pk]),
            {"decision": "approve"},
            follow=True,
        )

    responses = run_in_parallel([approve(c, e) for c, e in zip(clients, applications, strict=True)])

    assert all(r is not None and r.status_code == 200 for r in responses)
    statuses = sorted(Enrollment.objects.values_list("status", flat=True))
    assert statuses == ["enrolled", "pending"]
    pages = [r.content.decode() for r in responses]
    assert sum("Мест в потоке" in page for page in pages) == 1


def test_the_same_application_sent_five_times_at_once_is_recorded_once(postgres):
    cohort = make_cohort(capacity=3, regions=("54",))
    learner = make_user("same@example.org")
    client_list = []
    for _n in range(5):
        client = Client()
        client.force_login(learner)
        client_list.append(client)
    url = reverse("courses:cohort_apply", args=[cohort.pk])
    data = {"position": "Специалист", "organisation_name": "ООП", "motivation": ""}
    responses = run_in_parallel([lambda c=c: c.post(url, data) for c in client_list])
    assert all(r.status_code == 302 for r in responses)
    assert Enrollment.objects.filter(user=learner, cohort=cohort).count() == 1


def test_two_submits_of_all_present_at_once_mark_each_learner_once(postgres):
    """A double click on «Все присутствовали», or two trainers at once: no error page, one
    mark per learner, each change recorded once."""
    import datetime as dt

    from django.utils import timezone

    from courses.models import Attendance, AttendanceChange
    from tests.factories import enroll, make_session

    cohort = make_cohort(regions=("54",))
    for n in range(5):
        enroll(make_user(f"l{n}@example.org", role="specialist"), cohort)
    session = make_session(cohort, starts_at=timezone.now() - dt.timedelta(hours=1))
    trainers = [make_user(f"t{n}@example.org", role="trainer") for n in range(2)]
    cohort.trainers.add(*trainers)
    clients = []
    for trainer in trainers:
        client = Client()
        client.force_login(trainer)
        clients.append(client)
    url = reverse("courses:session_attendance", args=[session.pk])

    responses = run_in_parallel(
        [lambda c=c: c.post(url, {"all_present": "1"}, follow=True) for c in clients]
    )
    assert all(r is not None and r.status_code == 200 for r in responses)
    assert Attendance.objects.filter(session=session, status="present").count() == 5
    assert AttendanceChange.objects.count() == 5
