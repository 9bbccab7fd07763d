"""«Практики» in the admin: editors find a practice among thousands by region, year, topic."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user, practice, region

pytestmark = pytest.mark.django_db

URL = "/admin/practices/"


@pytest.fixture
def editor(client):
    client.force_login(make_user("editor@example.org", role="editor", totp=True))
    return client


def test_filters_by_region_year_and_topic(editor, library):
    practice(library, "Вологодский марафон", code="35", year=2019, topics=["prevention"])
    practice(library, "Иркутский институт", code="38", year=2019, topics=["training"])
    practice(library, "Проект «Вызов»", code="22", year=2021, topics=["prevention"])

    page = editor.get(URL).content.decode()
    assert all(t in page for t in ("Вологодский марафон", "Иркутский институт", "Проект «Вызов»"))

    by_region = editor.get(URL, {"region": region("38").pk}).content.decode()
    assert "Иркутский институт" in by_region and "Вологодский марафон" not in by_region

    by_year = editor.get(URL, {"year": 2019}).content.decode()
    assert "Проект «Вызов»" not in by_year and "Вологодский марафон" in by_year

    topic = library["topics"]["training"].pk
    by_topic = editor.get(URL, {"topics": topic}).content.decode()
    assert "Иркутский институт" in by_topic and "Вологодский марафон" not in by_topic


def test_the_listing_pages_25_at_a_time_in_the_same_queries(editor, library):
    for n in range(3):
        practice(library, f"Практика {n:02d}")
    editor.get(URL)
    with CaptureQueriesContext(connection) as few:
        editor.get(URL)
    for n in range(3, 40):
        practice(library, f"Практика {n:02d}")
    with CaptureQueriesContext(connection) as many:
        page = editor.get(URL).content.decode()
    assert len(set(re.findall(r"Практика \d\d", page))) == 25
    assert len(many) == len(few), "\n".join(q["sql"][:160] for q in many.captured_queries)


def test_a_specialist_cannot_open_it(client, library):
    client.force_login(make_user("s@example.org", role="specialist"))
    assert client.get(URL).status_code in (302, 403)
