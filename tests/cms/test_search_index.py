"""The library's search asks PostgreSQL through an index, not by reading every index entry:
the query Wagtail builds filters on the title and body vectors joined (``title || body``), and
the index cms migration 0007 puts on that same expression answers it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.library import search_ids
from cms.models import LibraryPage
from tests.factories import practice

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The full-text condition of Wagtail's query, as it is sent.
CONDITION = re.compile(
    r'\("wagtailsearch_indexentry"\."title" \|\| "wagtailsearch_indexentry"\."body"\) @@ '
    r"\(to_tsquery\([^)]*\)\)"
)


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        # A small table is read whole whatever its indexes: forbid that, to see what the
        # planner can use once the library is large.
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")


def test_the_library_search_condition_is_answered_by_an_index(postgres, library):
    for n in range(20):
        title = f"Опыт {n}: наставничество" if n % 10 == 0 else f"Практика {n}: работа с семьёй"
        practice(library, title)
    with CaptureQueriesContext(connection) as queries:
        ids = search_ids(LibraryPage.objects.live(), "наставничество")
    assert len(ids) == 2
    conditions = [m.group(0) for q in queries if (m := CONDITION.search(q["sql"]))]
    assert conditions, "Wagtail's search no longer filters on title || body: see migration 0007"
    explained = plan(f"SELECT id FROM wagtailsearch_indexentry WHERE {conditions[-1]}")  # noqa: S608 (our own captured SQL)
    assert "cms_search_title_body" in explained, explained
