"""Russian morphology in the library's search, on the demo library: every form of a word, with ё
or е, finds the same pages. Not marked: the suite runs it on SQLite, and again on PostgreSQL in
CI's second pass (DATABASE_URL), against the same expected pages, so both databases agree."""

import importlib
import io

import pytest
from django.apps import apps
from wagtail.search.models import IndexEntry

from cms import demo
from cms.library import highlight, search_ids
from cms.models import LibraryPage
from cms.search import normalise
from tests.factories import practice

pytestmark = pytest.mark.django_db

VOLOGDA = "vologda-marathon-social-technologies"
IRKUTSK = "irkutsk-polyformat-education-institute"
ALTAI = "altai-krai-vyzov"
TYUMEN = "tyumen-internship-early-age"
STAFF = "guardianship-staff-competence-system"
REGIONAL = "regional-polyformat-training-system"
EARLY_AGE = "early-age-coordinated-family-help"

WORDS = [
    (
        ["семья", "семьи", "семьёй", "семьей", "семьями", "семей"],
        {VOLOGDA, IRKUTSK, ALTAI, TYUMEN, STAFF, REGIONAL, EARLY_AGE},
    ),
    (["замещающая", "замещающей", "замещающие"], {VOLOGDA, IRKUTSK, STAFF, REGIONAL}),
    (["семейное устройство", "семейного устройства"], {VOLOGDA}),
    (["ребёнок", "ребенок", "ребенка", "РЕБЁНКОМ"], {ALTAI, TYUMEN, EARLY_AGE}),
]


@pytest.fixture
def demo_library():
    demo.load(io.StringIO())


def slugs(query):
    found = search_ids(LibraryPage.objects.live(), query)
    names = dict(LibraryPage.objects.filter(pk__in=found).values_list("pk", "slug"))
    return [names[pk] for pk in found]


@pytest.mark.parametrize(("forms", "expected"), WORDS, ids=[forms[0] for forms, _ in WORDS])
def test_every_form_of_a_word_finds_the_same_pages(demo_library, forms, expected):
    found = {form: set(slugs(form)) for form in forms}
    assert found == dict.fromkeys(forms, expected)


def test_every_word_of_a_query_must_be_found_in_some_form(demo_library):
    assert set(slugs("семьи ребёнка")) == {ALTAI, TYUMEN, EARLY_AGE}
    assert set(slugs("замещающей семьёй")) == {VOLOGDA, IRKUTSK, STAFF, REGIONAL}
    assert slugs("семейного устройства ребенка") == []
    assert slugs("«…» — !") == []


def test_the_search_page_marks_every_form_found(client, demo_library):
    html = client.get("/library/?q=ребенок").content.decode()
    assert "Найдено 3 материала" in html
    assert "обоснованно ли <mark>ребёнка</mark> помещают" in html

    html = client.get("/library/?q=семьёй").content.decode()
    assert "помогать <mark>семье</mark> нужно" in html
    assert "конкретную <mark>семью</mark>" in html

    assert "Ничего не нашлось" in client.get("/library/?q=—").content.decode()


def test_a_title_hit_ranks_above_a_body_hit(library):
    practice(
        library,
        "Школа приёмных родителей",
        summary="Занятия перед приёмом ребёнка.",
        what_was_done="<p>Наставники ведут каждую семью.</p>",
        slug="body",
    )
    practice(library, "Наставники семей", summary="Встречи каждый месяц.", slug="title")
    assert slugs("наставник") == ["title", "body"]


def test_highlight_marks_forms_with_yo_or_e_and_the_fleeting_vowel():
    snippet = str(highlight("Ребёнок в семье, ребенка и семьёй.", "ребенку семьи"))
    assert snippet == (
        "<mark>Ребёнок</mark> в <mark>семье</mark>, <mark>ребенка</mark> и <mark>семьёй</mark>."
    )


def test_the_migration_indexes_pages_indexed_before_as_plain_text(library):
    page = practice(library, "Помощь замещающей семье", summary="Семья получает помощь.")
    entries = IndexEntry.objects.filter(content_type=page.content_type, object_id=str(page.pk))
    assert normalise("замещающей") in entries.get().title
    entries.delete()  # as good as an entry of plain text: no term of it is found
    assert slugs("семьи") == []

    migration = importlib.import_module("cms.migrations.0006_reindex_library_search_terms")
    migration.reindex_library(apps, None)

    assert slugs("замещающие семьи") == [page.slug]
