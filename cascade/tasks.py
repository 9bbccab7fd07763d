from celery import shared_task

from . import reach


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reach_refresh() -> int:
    """Refresh the cascade's waves for every write that asked since the last refresh;
    idempotent, and cheap when another task has already served the requests."""
    return reach.refresh_pending()
