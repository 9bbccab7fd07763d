"""The library's pages are indexed as search terms from now on (cms/search.py), and queries are
asked in terms: pages indexed before as plain text would no longer be found. Index them again.

The search index is derived data, written by Wagtail's backend from the pages' current
``search_fields``, so this uses the real models and backend, not historical ones; a database
without library pages (a new one, the tests') has nothing to redo and never touches them.
Going back leaves the terms in the index; ``manage.py update_index`` then indexes the pages as
the older code wants.
"""

from django.db import migrations

BATCH = 200


def reindex_library(apps, schema_editor):
    if not apps.get_model("cms", "LibraryPage").objects.exists():
        return
    from wagtail.search.backends import get_search_backends

    from cms.models import PracticePage, RecommendationPage

    for backend in get_search_backends(with_auto_update=True):
        for model in (RecommendationPage, PracticePage):
            pages = list(model.get_indexed_objects().order_by("pk"))
            for start in range(0, len(pages), BATCH):
                backend.add_bulk(model, pages[start : start + BATCH])


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_proposal"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(reindex_library, migrations.RunPython.noop)]
