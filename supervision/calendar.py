from django.urls import reverse
from django.utils.translation import gettext as _

from lms.calendar import CalendarEvent

from .models import Booking, SupervisionSession


def _event(session: SupervisionSession, *, cancelled: bool) -> CalendarEvent:
    return CalendarEvent(
        uid=f"supervision-{session.pk}@opeka",
        start=session.starts_at,
        end=session.ends_at,
        summary=_("Супервизия: %(title)s") % {"title": session.title},
        description=session.supervisor.get_full_name(),
        location=session.place,
        url=reverse("supervision:session_detail", args=[session.pk]),
        sequence=session.sequence,
        cancelled=cancelled,
        last_modified=session.updated_at,
    )


def booking_event(booking: Booking) -> CalendarEvent:
    """One event per session, the same UID in the feed and in the downloaded file: a moved
    session updates it (SEQUENCE), a cancelled session or booking cancels it."""
    return _event(
        booking.session,
        cancelled=booking.session.is_cancelled or booking.status == Booking.Status.CANCELLED,
    )


def supervision_events(user):
    """The person's bookings (cancelled ones too, so calendars drop them) and the sessions they
    supervise."""
    bookings = (
        Booking.objects.filter(user=user)
        .exclude(status=Booking.Status.WAITLISTED)
        .select_related("session__supervisor")
        .order_by("session_id", "-booked_at")
    )
    seen = set()
    for booking in bookings:
        if booking.session_id not in seen:  # a re-booking after a cancel: the latest wins
            seen.add(booking.session_id)
            yield booking_event(booking)
    for session in SupervisionSession.objects.filter(supervisor=user).select_related("supervisor"):
        yield _event(session, cancelled=session.is_cancelled)
