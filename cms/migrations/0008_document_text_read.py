import django.utils.timezone
from django.db import migrations, models


def mark_read(apps, schema_editor):
    """Documents with text were read; the others are read once more by the sweep."""
    LibraryDocument = apps.get_model("cms", "LibraryDocument")
    LibraryDocument.objects.exclude(text="").update(text_read_at=django.utils.timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_search_title_body_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="librarydocument",
            name="text_queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="librarydocument",
            name="text_read_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_read, migrations.RunPython.noop),
    ]
