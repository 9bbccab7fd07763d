from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Люди и регионы")

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the checks, connects receivers)
