"""courses.importing: bulk enrolment from a list, all rows or none, at a cost that does not
grow per row beyond the writes each new person needs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.importing import roster_import
from courses.models import Enrollment
from tests.factories import enroll, make_cohort, make_user

pytestmark = pytest.mark.django_db

HEADER = "ФИО;E-mail;Организация;Должность"


def listing(emails) -> SimpleUploadedFile:
    rows = [
        f"Иванова{n} Мария Петровна;{email};Отдел опеки;специалист"
        for n, email in enumerate(emails)
    ]
    return SimpleUploadedFile("list.csv", "\n".join([HEADER, *rows]).encode("utf-8"))


@pytest.fixture
def coordinator():
    return make_user("c02@example.org", role="coordinator", region_code="02", totp=True)


def import_queries(coordinator, *, new: int, known: int, tag: str) -> int:
    cohort = make_cohort(regions=("02",), capacity=100)
    known_emails = [f"{tag}-k{n}@example.org" for n in range(known)]
    for email in known_emails:
        make_user(email, role="specialist", region_code="02")
    emails = known_emails + [f"{tag}-n{n}@example.org" for n in range(new)]
    with CaptureQueriesContext(connection) as queries:
        report = roster_import(cohort=cohort, uploaded=listing(emails), by=coordinator)
    assert report.saved, report.errors
    assert Enrollment.objects.filter(cohort=cohort, status="enrolled").count() == new + known
    return len(queries)


def test_people_already_on_the_platform_cost_no_query_each(coordinator):
    """Whoever is known is checked in a few queries for the whole list, and their enrolments
    are written in one."""
    import_queries(coordinator, new=1, known=1, tag="warm")  # what a first import looks up once
    assert import_queries(coordinator, new=0, known=2, tag="a") == import_queries(
        coordinator, new=0, known=20, tag="b"
    )


def test_a_new_person_costs_a_fixed_number_of_queries(coordinator):
    """An account, its e-mail address and its role for each new person; the list's
    organisations are looked up once each."""
    import_queries(coordinator, new=1, known=1, tag="warm")
    one = import_queries(coordinator, new=1, known=0, tag="c")
    eleven = import_queries(coordinator, new=11, known=0, tag="d")
    per_person = (eleven - one) / 10
    # The account, its address and role (with the security log), what the new account makes
    # stale, and the invitation's password-reset token: 15 queries, the same for every person.
    assert per_person == 15


def test_an_application_on_the_list_becomes_the_enrolment(coordinator):
    cohort = make_cohort(regions=("02",), capacity=10)
    applicant = make_user("applicant@example.org", role="specialist", region_code="02")
    application = enroll(applicant, cohort, status="pending")
    report = roster_import(cohort=cohort, uploaded=listing([applicant.email]), by=coordinator)
    assert report.saved
    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("enrolled", coordinator)
    assert Enrollment.objects.filter(user=applicant).count() == 1


def test_someone_in_another_cohort_of_the_course_is_named_and_nothing_is_saved(coordinator):
    cohort = make_cohort(regions=("02",), capacity=10)
    other = make_cohort(cohort.course, regions=("02",))
    learner = make_user("learner@example.org", role="specialist", region_code="02")
    enroll(learner, other)
    report = roster_import(
        cohort=cohort, uploaded=listing(["new@example.org", learner.email]), by=coordinator
    )
    assert not report.saved
    assert [e.line for e in report.errors] == [3]
    assert "в другом потоке" in report.errors[0].message
    assert not Enrollment.objects.filter(cohort=cohort).exists()
