"""Build the demo programme: every app's ``demo.load`` in INSTALLED_APPS order.

Idempotent: running it again changes nothing that is already there. Refuses to run without
DEBUG unless told --force, because it creates accounts with a published password.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import module_has_submodule

from lms import demo


class Command(BaseCommand):
    help = "Создаёт демонстрационную программу: организации, людей всех ролей и содержание."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Демо-данные создают учётные записи с общеизвестным паролем: "
                "запуск без DEBUG только с --force."
            )
        # The demo's people are not real: their e-mails are not printed or sent.
        quiet = override_settings(
            LMS_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.dummy.EmailBackend"
        )
        with quiet, transaction.atomic():
            for app_config in apps.get_app_configs():
                if module_has_submodule(app_config.module, "demo"):
                    import_module(f"{app_config.name}.demo").load(self.stdout)
        demo.print_logins(self.stdout)
