"""Twenty specialists book the last three seats at once, on PostgreSQL: exactly three get one,
the others read a clear «no seats» message, nobody gets a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from supervision.models import Booking
from tests.factories import enroll, make_cohort, make_supervision, make_user
from tests.parallel import run_in_parallel

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_twenty_parallel_bookings_for_three_seats_get_exactly_three(postgres):
    cohort = make_cohort(capacity=30)
    supervisor = make_user("supervisor@example.org", role="trainer")
    session = make_supervision(supervisor, cohort=cohort, capacity=3)
    clients = []
    for n in range(20):
        learner = make_user(f"learner{n}@example.org", role="specialist")
        enroll(learner, cohort)
        client = Client()
        client.force_login(learner)
        clients.append(client)
    url = reverse("supervision:book", args=[session.pk])

    responses = run_in_parallel([lambda c=c: c.post(url, follow=True) for c in clients])

    assert all(r is not None and r.status_code == 200 for r in responses)
    assert Booking.objects.filter(session=session, status="booked").count() == 3
    pages = [r.content.decode() for r in responses]
    assert sum("Вы записаны на супервизию." in p for p in pages) == 3
    assert sum("Свободных мест нет." in p for p in pages) == 17
