"""Handing work to Celery once the transaction commits, without losing it when the broker is
down.

A broker that cannot be reached must not turn a saved change into an error page: the change is
already committed. So queueing is tried once, quickly (``CELERY_TASK_PUBLISH_RETRY_POLICY``),
and a failure is logged and handed to ``fallback``: the caller's way to still get the work done
(deliver an e-mail in the request) or to leave it where a periodic task will find it (a
certificate stays «pending» and `certificates.tasks.certificates_requeue` queues it again).
"""

import logging
import time
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

BROKER_DOWN = (OperationalError, ConnectionError, OSError)
# After a failure the broker is not tried again for this long, so a request handing over many
# pieces of work (a list of 500 people) pays for one failed attempt, not 500.
RETRY_SECONDS = 5
_down_until = 0.0


def enqueue_on_commit(task, *args, fallback=None) -> None:
    transaction.on_commit(partial(_enqueue, task, args, fallback))


def _enqueue(task, args, fallback) -> None:
    global _down_until
    if time.monotonic() >= _down_until:
        try:
            task.delay(*args)
            return
        except BROKER_DOWN as error:
            _down_until = time.monotonic() + RETRY_SECONDS
            log.warning("could not queue %s: %s", task.name, error)
    if fallback is not None:
        fallback()


def requeue_stale(rows, *, queued_field: str, task, batch: int, at=None) -> list:
    """Hand ``task`` again the rows of ``rows`` last handed over LMS_REQUEUE_AFTER_SECONDS ago or
    earlier (the broker was down, a worker died), oldest first, at most ``batch`` of them; each
    is marked handed over at ``at``, so work that keeps failing is tried once a window, not on
    every run of the periodic task. Returns their primary keys."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils.timezone import now

    at = at or now()
    before = at - timedelta(seconds=settings.LMS_REQUEUE_AFTER_SECONDS)
    stale = list(
        rows.filter(**{f"{queued_field}__lte": before})
        .order_by(queued_field)
        .values_list("pk", flat=True)[:batch]
    )
    rows.model.objects.filter(pk__in=stale).update(**{queued_field: at})
    for pk in stale:
        enqueue_on_commit(task, pk)
    return stale
