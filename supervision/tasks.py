from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def booking_reminders_send() -> int:
    """Periodic: the 24-hour and 1-hour reminders, each sent once."""
    return services.booking_reminders_send()


@shared_task(acks_late=True)
def cases_delete_expired() -> int:
    """Periodic: delete case texts and files past their retention, with a record."""
    return services.cases_delete_expired()
