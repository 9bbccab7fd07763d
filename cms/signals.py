from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from .models import LibraryDocument, LibraryPage


@receiver(post_save, sender=LibraryDocument)
def document_saved(sender, instance, created, update_fields=None, **kwargs):
    """A new or replaced file has its text read in the background, after the commit."""
    if update_fields and "file" not in update_fields:
        return
    from .tasks import document_text_extract

    transaction.on_commit(lambda: document_text_extract.delay(instance.pk))


@receiver(page_published)
def library_page_published(sender, instance, **kwargs):
    """Index a published library page again once its attachments are saved: the index entry
    written during the page's own save saw the attachments as they were before."""
    if isinstance(instance, LibraryPage):
        from wagtail.search.index import insert_or_update_object

        insert_or_update_object(instance)
