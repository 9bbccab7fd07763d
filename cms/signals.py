from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import LibraryDocument


@receiver(post_save, sender=LibraryDocument)
def document_saved(sender, instance, created, update_fields=None, **kwargs):
    """A new or replaced file has its text read in the background, after the commit."""
    if update_fields and "file" not in update_fields:
        return
    from .tasks import document_text_extract

    transaction.on_commit(lambda: document_text_extract.delay(instance.pk))
