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
