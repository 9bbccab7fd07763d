import zoneinfo

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def session_time(session, where=None):
    """When a session runs, in the reader's zone with the zone named, and in the session's own
    zone too when that differs (a Moscow trainer reading about a Novosibirsk seminar sees both).
    ``where`` names that second zone («на месте» by default)."""
    reader_zone = timezone.get_current_timezone()
    start = timezone.localtime(session.starts_at, reader_zone)
    end = timezone.localtime(session.ends_at, reader_zone)
    text = _("%(date)s, %(start)s–%(end)s (%(zone)s)") % {
        "date": date_format(start, "j E Y, D"),
        "start": date_format(start, "H:i"),
        "end": date_format(end, "H:i"),
        "zone": str(reader_zone),
    }
    venue_zone = zoneinfo.ZoneInfo(session.timezone)
    if venue_zone.utcoffset(session.starts_at.replace(tzinfo=None)) != reader_zone.utcoffset(
        session.starts_at.replace(tzinfo=None)
    ):
        local = timezone.localtime(session.starts_at, venue_zone)
        text += " · " + _("%(where)s: %(time)s (%(zone)s)") % {
            "where": where or _("на месте"),
            "time": date_format(local, "H:i"),
            "zone": session.timezone,
        }
    return format_html('<time datetime="{}">{}</time>', session.starts_at.isoformat(), text)
