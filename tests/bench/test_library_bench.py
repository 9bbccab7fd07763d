"""bench/data.py's library: practices written in bulk must be what Wagtail would have left after
publishing them (a sound tree, live pages that open, in the search index), at a small size."""

import pytest
from wagtail.models import Page
from wagtail.search.models import IndexEntry

from bench import data
from cms import library_content
from cms.library import search_ids
from cms.models import HomePage, LibraryIndexPage, LibraryPage, PracticePage, TargetGroup, Topic
from tests.factories import make_user, practice

pytestmark = pytest.mark.django_db

COUNT = 30


@pytest.fixture
def index(monkeypatch):
    """The demo's library: its topics and target groups, an index with one practice already."""
    monkeypatch.setattr(data, "LIBRARY_PRACTICES", COUNT)
    monkeypatch.setattr(data, "LIBRARY_BATCH", 7)  # several batches even at this size
    monkeypatch.setattr(data, "LIBRARY_INDEX_BATCH", 4)
    lists = ((Topic, library_content.TOPICS), (TargetGroup, library_content.TARGET_GROUPS))
    for model, rows in lists:
        for order, (slug, name) in enumerate(rows):
            model.objects.create(slug=slug, name=name, order=order)
    home = HomePage.objects.get()
    index = home.add_child(instance=LibraryIndexPage(title="Библиотека", slug="library"))
    practice({"index": index, "topics": {}, "groups": {}}, "Практика из демо", slug="demo")
    return index


def test_bulk_practices_are_sound_wagtail_pages(client, index):
    data._Library().run()

    assert all(not problems for problems in Page.find_problems())
    index.refresh_from_db()
    assert index.numchild == index.get_children().count() == COUNT + 1
    added = PracticePage.objects.filter(slug__startswith=data.LIBRARY_SLUG)
    assert added.count() == COUNT
    assert added.live().filter(first_published_at__isnull=False).count() == COUNT
    assert set(added.values_list("kind", flat=True)) == {LibraryPage.Kind.PRACTICE}
    page = added.order_by("path").last()
    assert page.url_path == f"{index.url_path}{page.slug}/"
    assert page.specific_class is PracticePage
    assert 1 <= page.topics.count() <= 3 and 1 <= page.target_groups.count() <= 2

    assert client.get(page.url).status_code == 200
    listing = client.get("/library/")
    assert listing.status_code == 200
    assert listing.context["page_obj"].paginator.count == COUNT + 1
    # The bench's filtered address is canonical: answered, not redirected.
    assert client.get("/library/?region=02&topic=family-support").status_code == 200

    indexed = IndexEntry.objects.filter(content_type=page.content_type)
    ids = {str(pk) for pk in added.values_list("pk", flat=True)}
    assert ids <= set(indexed.values_list("object_id", flat=True))
    word = page.organisation.split()[0]
    assert page.pk in search_ids(PracticePage.objects.live(), word)


def test_the_library_is_added_once(index):
    make_user(f"learner0001{data.DOMAIN}")  # the learners are there: only the library is grown
    assert data.grow() is True
    assert data.grow() is False
    assert PracticePage.objects.filter(slug__startswith=data.LIBRARY_SLUG).count() == COUNT
    sizes = data.sizes()
    assert sizes["library pages, live (practices)"] == COUNT + 1
    assert sizes["search index entries (all models)"] >= COUNT + 1
