"""The course list says where applications are open without listing every cohort."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_cohort, make_course, make_user

pytestmark = pytest.mark.django_db


def _page(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/courses/")
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_counts_open_cohorts_and_names_the_readers_own(client):
    course = make_course()
    make_cohort(course, regions=("54",), title="Поток Новосибирск")
    make_cohort(course, regions=("02", "55"), title="Поток Уфа и Омск")
    make_cohort(
        course,
        regions=("54",),
        title="Поток закрыт",
        applications_close_at=timezone.now() - dt.timedelta(hours=1),
        applications_open_at=timezone.now() - dt.timedelta(days=5),
    )
    client.force_login(make_user("l@example.org", role="specialist", region_code="54"))
    text, _queries = _page(client)
    assert "Идёт набор: 2 потока, регионов: 3." in text
    assert "В вашем регионе: Поток Новосибирск</p>" in text
    assert "Поток Уфа и Омск" not in text and "Поток закрыт" not in text


def test_a_course_without_open_cohorts_says_so(client):
    make_course()
    text, _queries = _page(client)
    assert "Набор сейчас не идёт." in text


def test_the_page_costs_the_same_with_3_or_60_open_cohorts(client):
    course = make_course()
    client.force_login(make_user("l@example.org", role="specialist", region_code="54"))
    for _ in range(3):
        make_cohort(course, regions=("54",))
    client.get("/courses/")  # the first page after sign-in notes the consent
    text, few = _page(client)
    for _ in range(57):
        make_cohort(course, regions=("54",))
    text, many = _page(client)
    assert many == few
    assert "Идёт набор: 60 потоков" in text
    assert text.count("Поток ") == 5  # the first five of the reader's region, by closing date
