"""Who sees what in supervision. Outside a person's reach everything is a 404."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from lms.models import Role

from .models import SEAT_STATUSES, SupervisionSession


def learner_session_or_404(user, pk) -> SupervisionSession:
    """A session the learner may see and book: of their cohort or open to their course."""
    return get_object_or_404(
        SupervisionSession.objects.open_to(user).select_related("supervisor"), pk=pk
    )


def supervisor_session_or_404(user, pk) -> SupervisionSession:
    sessions = SupervisionSession.objects.all()
    if not user.has_role(Role.ADMIN):
        sessions = sessions.filter(supervisor=user)
    return get_object_or_404(sessions, pk=pk)


def can_read_case(user, case) -> bool:
    """Its author and the session's supervisor; in a group session its participants too.
    Nobody else: not editors, not coordinators, not the admin."""
    booking = case.booking
    session = booking.session
    if user.pk in (booking.user_id, session.supervisor_id):
        return True
    return (
        session.kind == SupervisionSession.Kind.GROUP
        and session.bookings.filter(user=user, status__in=SEAT_STATUSES).exists()
    )


def can_read_confidential(user, session) -> bool:
    """The confidential note is for supervisors: the session's own, and those who supervise
    the same cohort or course."""
    if user.pk == session.supervisor_id:
        return True
    if not user.has_role(Role.TRAINER):
        return False  # learners never supervise; no query to find it out
    same_group = (
        Q(cohort_id=session.cohort_id) if session.cohort_id else Q(course_id=session.course_id)
    )
    return SupervisionSession.objects.filter(same_group, supervisor=user).exists()
