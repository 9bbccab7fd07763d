"""A worker killed in the middle of generating a certificate: the task is delivered again to
another worker, and the end is exactly one certificate and one PDF file. Real PostgreSQL, real
Redis, real worker processes."""

import time

import pytest
from django.db import connection

from certificates.models import Certificate
from certificates.services import certificate_issue
from tests.conftest import WorkerProcess
from tests.factories import make_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}")


def test_killing_the_worker_mid_task_leaves_one_certificate_and_one_file(
    postgres, broker_url, tmp_path, celery_conf
):
    database = connection.settings_dict
    db_url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    started = tmp_path / "started"
    queue = f"crash-{time.monotonic_ns()}"
    common = {
        "DATABASE_URL": db_url,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    celery_conf(
        task_always_eager=False,
        task_default_queue=queue,
        broker_transport_options={"visibility_timeout": 3},
    )

    first = WorkerProcess(
        broker_url,
        tmp_path,
        queue=queue,
        extra_env={**common, "LMS_TEST_TASK_DELAY": "30", "LMS_TEST_STARTED_FILE": str(started)},
    )
    try:
        learner = make_user("anna@example.org", last_name="Смирнова", first_name="Анна")
        certificate = certificate_issue(
            holder=learner,
            holder_name="Смирнова Анна Сергеевна",
            subject="Курс",
            hours=72,
            date_from=learner.date_joined.date(),
            date_to=learner.date_joined.date(),
        )
        wait_for(started.exists, 60, "the first worker to start the task")
        first.process.kill()  # SIGKILL: no chance to finish or to acknowledge
        first.process.wait(10)
    finally:
        first.stop()

    second = WorkerProcess(broker_url, tmp_path, queue=queue, extra_env=common)
    try:
        wait_for(
            lambda: Certificate.objects.get(pk=certificate.pk).status == "valid",
            90,
            "the second worker to generate the certificate",
        )
    finally:
        second.stop()

    assert Certificate.objects.count() == 1
    files = [p for p in (tmp_path / "private").rglob("*.pdf")]
    assert [p.name for p in files] == [f"{certificate.serial}.pdf"]
    assert files[0].read_bytes().startswith(b"%PDF")
