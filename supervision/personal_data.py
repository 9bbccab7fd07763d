from lms.sanitize import html_to_text

from .models import Booking


def export(user) -> list[dict]:
    """The person's bookings and the cases they wrote (not other participants' cases)."""
    rows = []
    for booking in Booking.objects.filter(user=user).select_related("session", "case"):
        case = getattr(booking, "case", None)
        rows.append(
            {
                "session": booking.session.title,
                "starts_at": booking.session.starts_at.isoformat(),
                "status": booking.status,
                "case": {"title": case.title, "text": html_to_text(case.text)} if case else None,
            }
        )
    return rows
