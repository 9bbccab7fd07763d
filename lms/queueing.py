"""Handing work to Celery once the transaction commits, without losing it when the broker is
down.

A broker that cannot be reached must not turn a saved change into an error page: the change is
already committed. So queueing is tried once, quickly (``CELERY_TASK_PUBLISH_RETRY_POLICY``),
and a failure is logged and handed to ``fallback``: the caller's way to still get the work done
(deliver an e-mail in the request) or to leave it where a periodic task will find it (a
certificate stays «pending» and `certificates.tasks.certificates_requeue` queues it again).
"""

import logging
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

BROKER_DOWN = (OperationalError, ConnectionError, OSError)


def enqueue_on_commit(task, *args, fallback=None) -> None:
    transaction.on_commit(partial(_enqueue, task, args, fallback))


def _enqueue(task, args, fallback) -> None:
    try:
        task.delay(*args)
    except BROKER_DOWN as error:
        log.warning("could not queue %s%r: %s", task.name, args, error)
        if fallback is not None:
            fallback()
