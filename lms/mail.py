"""Every e-mail the platform sends leaves through Celery, after the transaction commits.

``CeleryEmailBackend`` is Django's EMAIL_BACKEND: it turns each message into plain JSON-safe data
and queues ``lms.tasks.email_deliver``; the task rebuilds the message and hands it to the real
backend named by LMS_EMAIL_DELIVERY_BACKEND (console, SMTP). A request that rolls back sends
nothing; a slow mail server does not hold up a page while the broker is up. With the broker
down, messages are delivered from the request (lms.queueing): slower, but none is lost.
"""

import base64
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend


def message_to_data(message: EmailMessage) -> dict:
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {k: str(v) for k, v in (message.extra_headers or {}).items()},
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
        "content_subtype": message.content_subtype,
    }


def message_from_data(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


def deliver(data: dict) -> int:
    connection = get_connection(settings.LMS_EMAIL_DELIVERY_BACKEND)
    return connection.send_messages([message_from_data(data)])


class CeleryEmailBackend(BaseEmailBackend):
    """Queues each message for delivery once the transaction commits; with the broker down,
    the message is delivered from the request instead, so it is not lost."""

    def send_messages(self, email_messages):
        from .queueing import enqueue_on_commit
        from .tasks import email_deliver

        count = 0
        for message in email_messages:
            data = message_to_data(message)
            enqueue_on_commit(email_deliver, data, fallback=partial(deliver, data))
            count += 1
        return count
