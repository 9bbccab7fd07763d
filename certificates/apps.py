from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Сертификаты")

    def ready(self):
        from cascade.services import event_accepted
        from courses.signals import enrollment_completed
        from lms.context_processors import register_nav_item
        from lms.models import Role

        from .services import on_enrollment_completed, on_event_accepted

        enrollment_completed.connect(on_enrollment_completed, dispatch_uid="certificates")
        event_accepted.connect(on_event_accepted, dispatch_uid="certificates")
        register_nav_item("certificates:mine", _("Сертификаты"), Role.SPECIALIST, order=27)
        register_nav_item(
            "certificates:register", _("Реестр сертификатов"), Role.COORDINATOR, order=45
        )

        from lms.personal_data import register_exporter

        from .personal_data import export

        register_exporter("certificates", export)
