"""A trainer's page lists what is current in full and only the latest finished cohorts."""

import datetime as dt

import pytest

from tests.factories import make_cohort, make_course, make_session, make_user

pytestmark = pytest.mark.django_db


def test_current_cohorts_all_finished_the_latest_ten_and_a_link_to_the_rest(client):
    trainer = make_user("t@example.org", role="trainer")
    course = make_course()
    today = dt.date(2026, 12, 1)
    for n in range(12):
        make_cohort(
            course,
            status="finished",
            title=f"Завершён {n:02d}",
            starts_on=today - dt.timedelta(days=400 - n),
            ends_on=today - dt.timedelta(days=300 - n),
        ).trainers.add(trainer)
    running = make_cohort(course, status="running", title="Идёт сейчас")
    running.trainers.add(trainer)
    seminar = make_session(running)
    client.force_login(trainer)

    page = client.get("/courses/teach/").content.decode()
    assert "Идёт сейчас" in page and seminar.title in page
    assert "Завершён 11" in page and "Завершён 02" in page  # the ten latest
    assert "Завершён 01" not in page and "Завершён 00" not in page
    assert "Показаны последние 10 завершённых потоков" in page

    everything = client.get("/courses/teach/", {"finished": "all"}).content.decode()
    assert "Завершён 00" in everything and "Показаны последние" not in everything
