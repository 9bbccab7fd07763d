"""Personal calendar feeds (.ics): the events of every app, for one person.

``lms`` owns the feed (the URL, its token, the rendering) but not the events: seminars,
supervision sessions, deadlines live in apps that depend on ``lms``. Imports flow one way, so
``lms`` cannot import them to ask for their events. Instead each app registers a *provider*
from its ``AppConfig.ready()``::

    from lms.calendar import register_provider

    class CoursesConfig(AppConfig):
        def ready(self):
            from .calendar import seminar_events

            register_provider(seminar_events)

A provider is ``provider(user) -> Iterable[CalendarEvent]``: the events that person should see,
including recently cancelled ones (``cancelled=True``) so that subscribed calendars remove them.
It runs on every feed request (calendar apps poll every few hours), so it should cost a fixed
number of queries.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .links import absolute

PRODID = "-//Обучение ООП//RU"


@dataclass(frozen=True)
class CalendarEvent:
    """One event as calendar apps see it.

    ``uid`` must stay the same for the life of the event (``"seminar-42@opeka"``): a calendar
    app matches updates and cancellations by it. Raise ``sequence`` when the time or place
    changes. ``url`` is absolute, or a path on this site (``/courses/…``).
    """

    uid: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    last_modified: dt.datetime | None = None

    def __post_init__(self):
        for name in ("start", "end", "last_modified"):
            value = getattr(self, name)
            if value is not None and timezone.is_naive(value):
                raise ValueError(f"CalendarEvent.{name} must be an aware datetime")
        if self.end < self.start:
            raise ValueError("CalendarEvent ends before it starts")
        if not self.uid:
            raise ValueError("CalendarEvent needs a uid")


Provider = Callable[[object], Iterable[CalendarEvent]]

_providers: list[Provider] = []


def register_provider(func: Provider) -> Provider:
    """Add ``func(user) -> Iterable[CalendarEvent]`` to every feed; registering twice is a no-op.

    Returns ``func``, so it may be used as a decorator.
    """
    if func not in _providers:
        _providers.append(func)
    return func


def unregister_provider(func: Provider) -> None:
    if func in _providers:
        _providers.remove(func)


def providers() -> tuple[Provider, ...]:
    return tuple(_providers)


def events_for(user) -> list[CalendarEvent]:
    """Every provider's events for ``user``, by start time, worded in the person's language:
    a calendar app fetches the feed without the person's cookie or session."""
    with translation.override(user.language):
        events = [event for provider in _providers for event in provider(user)]
    events.sort(key=lambda event: (event.start, event.uid))
    return events


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _calendar(user) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # The calendar's name is read by the person, in their own language.
    with translation.override(user.language):
        name = _("Обучение ООП — %(name)s") % {"name": str(user)}
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", user.effective_timezone)
    return cal


def _vevent(event: CalendarEvent, stamp: dt.datetime) -> Event:
    # Times go out in UTC ("…Z"): Google, Yandex and Outlook accept it and show the event in
    # the subscriber's own zone, with no VTIMEZONE to get wrong.
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", _utc(event.start))
    vevent.add("dtend", _utc(event.end))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", absolute(event.url))
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.last_modified is not None:
        vevent.add("last-modified", _utc(event.last_modified))
    return vevent


def render_ics(user, events: Iterable[CalendarEvent]) -> bytes:
    """``user``'s calendar with ``events``, as RFC 5545 bytes (UTF-8, CRLF)."""
    cal = _calendar(user)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for event in events:
        cal.add_component(_vevent(event, stamp))
    return cal.to_ical()


def render_single_event_ics(user, event: CalendarEvent) -> bytes:
    """One event to download and open ("add to my calendar")."""
    return render_ics(user, [event])


def ics_response(
    content: bytes, *, filename: str = "opeka.ics", inline: bool = False
) -> HttpResponse:
    """An HTTP response carrying ``content`` as an .ics file (``inline`` for feeds)."""
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
