from celery import shared_task

SWEEP_BATCH = 100


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def document_text_extract(document_id: int) -> int:
    """Read the text of a document and refresh the search index of the library pages that
    attach it, then the library's kept listings (a search may now find them). Idempotent: it
    reads the file as it is now. Returns the text's length."""
    from wagtail.documents import get_document_model
    from wagtail.search.index import insert_or_update_object

    from .library import library_changed
    from .models import LibraryPage

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return 0
    from django.utils import timezone

    from .documents import extract_text

    text = extract_text(document)
    type(document).objects.filter(pk=document.pk).update(text=text, text_read_at=timezone.now())
    for page in LibraryPage.objects.filter(attachments__document=document).specific():
        insert_or_update_object(page)
    library_changed()
    return len(text)


@shared_task
def documents_text_sweep() -> int:
    """Hand reading over again for documents whose text was not read LMS_REQUEUE_AFTER_SECONDS
    after it was last handed over (the broker was down at the upload, or a worker died), at
    most SWEEP_BATCH a run; returns how many. Each is marked handed over now, so a file that
    keeps failing is tried once a window, not on every run."""
    from wagtail.documents import get_document_model

    from lms.queueing import requeue_stale

    lost = requeue_stale(
        get_document_model().objects.filter(text_read_at__isnull=True),
        queued_field="text_queued_at",
        task=document_text_extract,
        batch=SWEEP_BATCH,
    )
    return len(lost)
