"""Loaded into a test's Celery worker with ``--include tests.worker_hooks``: when
LMS_TEST_TASK_DELAY is set, every task first notes that it started (LMS_TEST_STARTED_FILE) and
then waits, so that the test can kill the worker in the middle of the task."""

import os
import time
from pathlib import Path

from celery.signals import task_prerun


@task_prerun.connect
def _pause(sender=None, **kwargs):
    delay = float(os.environ.get("LMS_TEST_TASK_DELAY", "0"))
    if delay:
        Path(os.environ["LMS_TEST_STARTED_FILE"]).write_text(sender.name)
        time.sleep(delay)
