from celery import shared_task
from django.db import OperationalError

from . import reach


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    default_retry_delay=5,
)
def reach_refresh(self) -> int:
    """Refresh the cascade's waves for every write that asked since the last refresh;
    idempotent, and cheap when another task has already served the requests. While another
    refresh runs, it comes back in a few seconds instead of waiting on the lock."""
    try:
        return reach.refresh_pending(nowait=True)
    except OperationalError as busy:
        raise self.retry(exc=busy) from busy
