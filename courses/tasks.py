from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def session_reminders_send() -> int:
    """Periodic (see CELERY_BEAT_SCHEDULE): remind learners of tomorrow's seminars, once each."""
    return services.session_reminders_send()
