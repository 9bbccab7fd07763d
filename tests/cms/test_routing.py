"""Remembered routes (cms.routing) never outlive the page they lead to: a new slug, a move, an
unpublication or a deletion is followed on the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import LibraryIndexPage
from tests.factories import practice

pytestmark = pytest.mark.django_db


def status(client, url) -> int:
    return client.get(url).status_code


def test_a_remembered_route_costs_fewer_queries(client, library):
    url = practice(library, "Марафон социальных технологий").url
    with CaptureQueriesContext(connection) as walked:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as remembered:
        assert client.get(url).status_code == 200
    assert len(remembered) < len(walked)


def test_a_new_slug_a_move_an_unpublication_and_a_deletion_are_followed(client, library):
    page = practice(library, "Институт полиформатного образования", slug="institute")
    old = page.url
    assert status(client, old) == 200

    page.slug = "irkutsk-institute"
    page.save_revision().publish()
    assert status(client, old) == 404
    assert status(client, "/library/irkutsk-institute/") == 200

    other = (
        library["index"]
        .get_parent()
        .add_child(instance=LibraryIndexPage(title="Архив", slug="archive"))
    )
    page.refresh_from_db()
    page.move(other, pos="last-child")
    response = client.get("/library/irkutsk-institute/")  # Wagtail redirects a moved page
    assert response.status_code in (301, 404)
    assert response.status_code == 404 or response["Location"] == "/archive/irkutsk-institute/"
    assert status(client, "/archive/irkutsk-institute/") == 200

    page.refresh_from_db()
    page.unpublish()
    assert status(client, "/archive/irkutsk-institute/") == 404

    page.save_revision().publish()
    assert status(client, "/archive/irkutsk-institute/") == 200
    page.delete()
    assert status(client, "/archive/irkutsk-institute/") == 404
