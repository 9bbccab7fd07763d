from django.db.models import Q
from django.urls import reverse

from lms.calendar import CalendarEvent

from .models import SEAT_STATUSES, SeminarSession


def seminar_events(user):
    """Seminars of the cohorts a person learns in or teaches, cancelled ones included."""
    sessions = (
        SeminarSession.objects.filter(
            Q(cohort__enrollments__user=user, cohort__enrollments__status__in=SEAT_STATUSES)
            | Q(cohort__trainers=user)
            | Q(trainers=user)
        )
        .select_related("cohort__course")
        .distinct()
    )
    for session in sessions:
        yield CalendarEvent(
            uid=f"seminar-{session.pk}@opeka",
            start=session.starts_at,
            end=session.ends_at,
            summary=f"{session.title} — {session.cohort.course.title}",
            description=session.cohort.title,
            location=session.place,
            url=reverse("dashboard"),
            sequence=session.sequence,
            cancelled=session.cancelled,
            last_modified=session.updated_at,
        )
