from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Супервизии")

    def ready(self):
        from lms.calendar import register_provider
        from lms.context_processors import register_nav_item
        from lms.dashboard import register_panel
        from lms.models import Role

        from . import versions
        from .calendar import supervision_events
        from .dashboard import bookings_panel

        versions.connect()

        register_panel("supervision/panels/bookings.html", bookings_panel, order=20)
        register_provider(supervision_events)
        register_nav_item("supervision:session_list", _("Супервизии"), Role.SPECIALIST, order=25)
        register_nav_item("supervision:calendar", _("Мои супервизии"), Role.TRAINER, order=35)

        from lms.personal_data import register_exporter

        from .personal_data import export

        register_exporter("supervision", export)
