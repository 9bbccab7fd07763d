from celery import shared_task

from . import mail


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
    acks_late=True,
)
def email_deliver(self, data: dict) -> int:
    """Hand one rendered e-mail to the delivery backend; retried with backoff while the mail
    server is unreachable."""
    return mail.deliver(data)
