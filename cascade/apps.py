from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CascadeConfig(AppConfig):
    name = "cascade"
    verbose_name = _("Каскад: команды трансляторов")

    def ready(self):
        from courses.signals import enrollment_completed
        from lms.context_processors import register_nav_item
        from lms.models import Role

        from .reach import on_enrollment_completed

        enrollment_completed.connect(on_enrollment_completed, dispatch_uid="cascade_reach")
        register_nav_item("cascade:home", _("Каскад"), Role.COORDINATOR, Role.SPECIALIST, order=35)
