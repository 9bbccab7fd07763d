"""allauth, customised through its adapter as allauth intends."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth builds the links of its e-mails (confirmation, password reset, sign-up) from
        the request's host; every link we send starts with SITE_URL instead (lms.links)."""
        request = self.request or allauth_context.request
        if request is not None:
            origin = request.build_absolute_uri("/")[:-1]
            context = {
                key: settings.SITE_URL + value[len(origin) :]
                if isinstance(value, str) and value.startswith(origin + "/")
                else value
                for key, value in context.items()
            }
        context["site_url"] = settings.SITE_URL
        super().send_mail(template_prefix, email, context)
