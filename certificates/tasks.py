from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=8,
)
def certificate_generate(self, certificate_id: int) -> bool:
    """Render and store one certificate's PDF; idempotent, retried while storage fails, and
    re-delivered if the worker dies mid-task (acks late)."""
    return services.certificate_generate(certificate_id)


@shared_task
def certificates_requeue() -> int:
    """Queue again every certificate still «pending» LMS_REQUEUE_AFTER_SECONDS after it was
    issued: its task was never queued (the broker was down) or was lost with a worker.
    Generation is idempotent, so a certificate queued twice is rendered once."""
    return services.certificates_requeue()
