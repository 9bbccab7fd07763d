"""The certificate register and the busiest admin lists cost the same queries whatever the
number of certificates, cohorts, bookings or people: pages, not everything at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from certificates.services import default_template
from courses.models import Enrollment
from supervision.models import Booking
from tests.factories import enroll, make_cohort, make_course, make_supervision, make_user, region

pytestmark = pytest.mark.django_db

PAGES = [
    "/certificates/register/",
    "/certificates/register/?page=2",
    "/django-admin/certificates/certificate/",
    "/django-admin/supervision/booking/",
    "/django-admin/courses/enrollment/",
    "/django-admin/lms/user/",
]


def grow(n: int, tag: str):
    """``n`` certificates, learners, bookings and cohorts with completions, in bulk."""
    course = make_course(modules=0)
    template = default_template()
    today = dt.date(2026, 11, 1)
    supervisor = make_user(f"sv-{tag}@example.org", role="trainer")
    session = make_supervision(supervisor, course=course, capacity=n + 1)
    for c in range(max(n // 20, 1)):
        cohort = make_cohort(course, regions=("54",))
        learner = make_user(f"{tag}-{c}@example.org", role="specialist", region_code="54")
        enroll(learner, cohort, status="completed")
    users = [make_user(f"{tag}-u{i}@example.org", region_code="54") for i in range(n)]
    Booking.objects.bulk_create(Booking(session=session, user=u) for u in users)
    Certificate.objects.bulk_create(
        Certificate(
            serial=f"{tag}-{i}",
            code=f"{tag}code{i}",
            holder_name=f"Иванова{i} Мария",
            subject=course.title,
            hours=72,
            date_from=today,
            date_to=today,
            template=template,
            region=region("54"),
            status="valid",
        )
        for i in range(n)
    )


def queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm: what a first request looks up once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_lists_cost_the_same_at_two_sizes(client, url):
    admin = make_user("admin@example.org", role="admin", totp=True)
    grow(60, "a")
    small = queries(client, admin, url)
    grow(300, "b")
    assert queries(client, admin, url) == small


def test_the_register_is_paged_for_the_admin_and_a_coordinator(client):
    grow(120, "c")
    coordinator = make_user("c54@example.org", role="coordinator", region_code="54", totp=True)
    client.force_login(coordinator)
    page = client.get("/certificates/register/").content.decode()
    assert page.count("<td>Иванова") == 50 and "Страница 1 из 3" in page
    admin = make_user("admin@example.org", role="admin", totp=True)
    client.force_login(admin)
    page = client.get("/certificates/register/?page=3").content.decode()
    assert page.count("<td>Иванова") == 20
    assert Enrollment.objects.filter(status="completed").count() == 6
    assert page.count("Выдать всем") == 6
