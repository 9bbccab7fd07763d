from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Курсы и потоки")

    def ready(self):
        from lms.calendar import register_provider
        from lms.context_processors import register_nav_item
        from lms.dashboard import register_panel
        from lms.models import Role

        from . import versions
        from .calendar import seminar_events
        from .dashboard import learning_panel

        versions.connect()

        register_panel("courses/panels/learning.html", learning_panel, order=10)
        register_provider(seminar_events)
        register_nav_item("courses:course_list", _("Курсы"), order=20, public=True)
        register_nav_item("courses:teach", _("Мои потоки"), Role.TRAINER, order=30)
        register_nav_item("courses:coordinate", _("Координация"), Role.COORDINATOR, order=40)

        from lms.personal_data import register_exporter

        from .personal_data import export

        register_exporter("learning", export)
