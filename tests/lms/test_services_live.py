"""The same behaviour against the real services CI starts: Redis as the broker, a Celery worker
process. Skipped locally without them; a failure in CI (LMS_REQUIRE_SERVICES=1)."""

import time

import pytest
from django.core.mail import EmailMessage

from lms.mail import message_to_data
from lms.tasks import email_deliver

pytestmark = pytest.mark.broker


def test_a_real_worker_delivers_mail_queued_through_redis(celery_worker_process, celery_conf):
    celery_conf(task_always_eager=False)
    message = EmailMessage(
        "Напоминание о семинаре",
        "Семинар начнётся завтра в 10:00.",
        "noreply@example.org",
        ["learner@example.org"],
    )
    email_deliver.apply_async(args=[message_to_data(message)], queue=celery_worker_process["queue"])

    mail_dir = celery_worker_process["mail_dir"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(mail_dir.iterdir()):
        if celery_worker_process["process"].poll() is not None:
            output = celery_worker_process["process"].stdout.read().decode(errors="replace")
            pytest.fail(f"the worker exited early:\n{output}")
        time.sleep(0.2)
    files = list(mail_dir.iterdir())
    assert len(files) == 1, "the worker delivered nothing within 60 s"
    text = files[0].read_text()
    assert "learner@example.org" in text
    assert "Subject: =?utf-8?" in text


def test_healthz_sees_the_real_broker(db, client, broker_url, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
