from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

LIBRARY_PATH = "/library/"  # where the demo and the README put the library's index page


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Содержание сайта")

    def ready(self):
        from lms.context_processors import register_nav_item
        from lms.dashboard import register_panel

        from . import signals  # noqa: F401
        from .dashboard import proposals_panel

        register_panel("cms/panels/proposals.html", proposals_panel, order=40)
        register_nav_item(LIBRARY_PATH, _("Библиотека"), order=40, public=True)
