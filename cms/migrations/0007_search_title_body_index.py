"""An index for the library's search on PostgreSQL.

Wagtail's database backend filters index entries on ``title || body @@ query`` (both vectors
joined), so its indexes on each vector alone are never used and every search reads every
entry. A GIN index on that same expression answers the query. Other databases search
differently (SQLite through FTS5) and get nothing here.
"""

from django.db import migrations

INDEX = "cms_search_title_body"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_reindex_library_search_terms"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
