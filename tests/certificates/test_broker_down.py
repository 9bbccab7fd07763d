"""The broker down when work is handed to Celery: the saved change stands, the person sees
their page, e-mails still go out, and certificates left «pending» are queued again."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue, certificates_requeue
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _forget_broker_connections():
    """The app keeps its broker connections: drop them, so the next task sent connects to the
    broker the test names (a port nobody listens on, then the usual one again)."""
    from lms.celery import app

    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(celery_conf, settings):
    settings.EMAIL_BACKEND = "lms.mail.CeleryEmailBackend"
    celery_conf(task_always_eager=False, broker_write_url="redis://127.0.0.1:9/0")
    _forget_broker_connections()
    yield
    _forget_broker_connections()
    from lms import queueing

    queueing._down_until = 0.0  # the broker is back for the tests that follow


def test_a_certificate_issued_with_the_broker_down_is_generated_once_it_is_back(
    broker_down, celery_conf, django_capture_on_commit_callbacks, caplog
):
    learner = make_user("anna@example.org", last_name="Смирнова", first_name="Анна")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(
            holder=learner,
            holder_name="Смирнова Анна Сергеевна",
            subject="Курс",
            hours=72,
            date_from=learner.date_joined.date(),
            date_to=learner.date_joined.date(),
        )
    assert time.monotonic() - started < 5  # no hanging on the dead broker
    assert "could not queue certificates.tasks.certificate_generate" in caplog.text
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING

    def minutes(n):
        return timezone.now() + dt.timedelta(minutes=n)

    assert certificates_requeue() == 0  # not yet: it may still be on its way
    from lms import queueing

    queueing._down_until = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_requeue(at=minutes(6)) == 1  # tried again, the broker still down
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING
    assert certificates_requeue(at=minutes(7)) == 0  # handed over once a window, not each run

    celery_conf(task_always_eager=True)  # the broker is back
    queueing._down_until = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_requeue(at=minutes(12)) == 1
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID and certificate.sha256


def test_an_email_sent_with_the_broker_down_is_delivered_from_the_request(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Сертификат готов", "Ваш сертификат готов.", None, ["anna@example.org"])
    assert [m.subject for m in mail.outbox] == ["Сертификат готов"]
