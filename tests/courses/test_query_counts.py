"""Pages people open often cost the same number of queries with 10 or 1,000 learners."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Attendance, Enrollment
from lms.models import User
from tests.factories import enroll, make_cohort, make_course, make_session, make_user, region

pytestmark = pytest.mark.django_db


def crowd(cohort, n):
    """``n`` more enrolled learners with attendance, made in bulk."""
    start = cohort.enrollments.count()
    users = User.objects.bulk_create(
        User(
            email=f"l{cohort.pk}-{i}@example.org",
            last_name="Слушатель",
            first_name=str(i),
            region=region("54"),
        )
        for i in range(start, start + n)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            user=u,
            cohort=cohort,
            region=u.region,
            status="enrolled",
            position="С",
            organisation_name="ООП",
        )
        for u in users
    )
    for session in cohort.sessions.all():
        Attendance.objects.bulk_create(
            Attendance(session=session, enrollment=e, status="present") for e in enrollments
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def queries(client, url) -> tuple[int, int]:
    """Queries of the page built from the database, then with its kept pieces (lms.versions)."""
    client.get(url)  # warm: the first page after sign-in notes the consent in the session
    cache.clear()  # nothing kept: the page is built from the database
    return _count(client, url), _count(client, url)


@pytest.fixture
def setup():
    course = make_course(modules=3)
    trainer = make_user("trainer@example.org", role="trainer")
    learner = make_user("learner@example.org", role="specialist")
    cohorts = [make_cohort(course) for _ in range(2)]
    for cohort in cohorts:
        cohort.trainers.add(trainer)
        for _ in range(3):
            make_session(cohort)
    enroll(learner, cohorts[0])
    return {"course": course, "cohorts": cohorts, "trainer": trainer, "learner": learner}


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("learner", lambda s: reverse("dashboard")),
        ("learner", lambda s: reverse("courses:course_list")),
        ("learner", lambda s: reverse("courses:course_detail", args=[s["course"].slug])),
        ("trainer", lambda s: reverse("courses:cohort_roster", args=[s["cohorts"][0].pk])),
        ("trainer", lambda s: reverse("courses:teach")),
        (
            "trainer",
            lambda s: reverse(
                "courses:session_attendance", args=[s["cohorts"][0].sessions.first().pk]
            ),
        ),
    ],
)
def test_fixed_query_count_at_10_and_1000_learners(client, setup, who, url):
    client.force_login(setup[who])
    url = url(setup)
    for cohort in setup["cohorts"]:
        crowd(cohort, 10)
    small = queries(client, url)
    for cohort in setup["cohorts"]:
        crowd(cohort, 990)
    assert queries(client, url) == small


def test_coordinator_page_fixed_query_count(client, setup):
    coordinator = make_user("c@example.org", role="coordinator", totp=True)
    client.force_login(coordinator)
    for cohort in setup["cohorts"]:
        crowd(cohort, 10)
    small = queries(client, reverse("courses:coordinate"))
    for cohort in setup["cohorts"]:
        crowd(cohort, 990)
    assert queries(client, reverse("courses:coordinate")) == small
