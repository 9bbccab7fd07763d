from django import template
from django.utils.translation import gettext as _

from courses.templatetags.courses_tags import session_time as _session_time

register = template.Library()


@register.simple_tag
def session_time(session):
    """As for seminars; the second time shown is the supervisor's."""
    return _session_time(session, where=_("у супервизора"))
