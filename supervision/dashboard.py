from django.utils.timezone import now

from .models import Booking


def bookings_panel(request):
    """The learner's coming supervisions on the dashboard."""
    bookings = list(
        Booking.objects.filter(
            user=request.user,
            status__in=[Booking.Status.BOOKED, Booking.Status.WAITLISTED],
            session__ends_at__gt=now(),
        )
        .select_related("session__supervisor")
        .order_by("session__starts_at")[:5]
    )
    if not bookings and not request.user.has_role("specialist"):
        return None
    return {"bookings": bookings}
