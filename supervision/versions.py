"""Which kept pieces of pages (lms.versions) a write to supervision's data makes stale.

Scope ``supervision.supervisor:<id>``: a supervisor's calendar (their sessions, seats taken and
waiting). The seminars on the same calendar follow the courses' cohort versions
(courses.versions). Every write goes through ``save()`` and ``delete()``, which reach the
receivers below; writes in bulk make everything kept stale (``lms.versions.KeptQuerySet``).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from courses import versions as courses_versions
from courses.models import SeminarSession
from lms.versions import bump

from .models import Booking, SupervisionSession


def supervisor_scope(user_id) -> str:
    return f"supervision.supervisor:{user_id}"


def session_changed(sender, instance, **kwargs):
    bump([supervisor_scope(instance.supervisor_id)])


def booking_changed(sender, instance, **kwargs):
    if Booking._meta.get_field("session").is_cached(instance):
        supervisor_id = instance.session.supervisor_id
    else:
        supervisor_id = (
            SupervisionSession.objects.filter(pk=instance.session_id)
            .values_list("supervisor_id", flat=True)
            .first()
        )
    bump([supervisor_scope(supervisor_id)])


def seminar_trainers_changed(sender, instance, action, reverse, **kwargs):
    """A trainer added to or taken off one seminar: it enters or leaves their calendar."""
    if not action.startswith("post_"):
        return
    if reverse:
        bump([courses_versions.ALL])
    else:
        courses_versions.touch(cohorts=[instance.cohort_id])


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(session_changed, sender=SupervisionSession, dispatch_uid="sv-session")
        signal.connect(booking_changed, sender=Booking, dispatch_uid="sv-booking")
    m2m_changed.connect(
        seminar_trainers_changed,
        sender=SeminarSession.trainers.through,
        dispatch_uid="sv-seminar-trainers",
    )
