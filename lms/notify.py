"""E-mail to one person, in their language and time zone.

``notify(user, "app/email/name", context)`` renders ``app/email/name_subject.txt`` and
``app/email/name_message.txt`` with the recipient's language and zone active, so dates and words
in the message are theirs, and sends it through the Celery e-mail backend (after commit).
"""

import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation


def notify(user, template: str, context: dict) -> None:
    context = {**context, "user": user, "site_url": settings.SITE_URL}
    with (
        translation.override(user.language),
        timezone.override(zoneinfo.ZoneInfo(user.effective_timezone)),
    ):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        None,
        [user.email],
    )
