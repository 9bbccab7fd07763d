"""Who may see and do what in courses, at the object level.

Lookups return 404 for objects outside a person's reach, so existence never leaks.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from lms.models import Role

from .models import Cohort, Enrollment, SeminarSession


def is_admin(user) -> bool:
    return user.has_role(Role.ADMIN)


def staff_cohorts(user):
    """Cohorts a person works on: as trainer, as coordinator of one of its regions, or admin."""
    if is_admin(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(
        Q(trainers=user) | Q(regions__in=user.coordinated_region_ids())
    ).distinct()


def can_teach(user, cohort: Cohort) -> bool:
    return is_admin(user) or cohort.trainers.filter(pk=user.pk).exists()


def staff_cohort_or_404(user, pk: int) -> Cohort:
    return get_object_or_404(staff_cohorts(user).select_related("course"), pk=pk)


def teaching_session_or_404(user, pk: int) -> SeminarSession:
    """A session whose attendance ``user`` may mark: a trainer of its cohort, or the admin."""
    sessions = SeminarSession.objects.select_related("cohort__course")
    if not is_admin(user):
        sessions = sessions.filter(Q(cohort__trainers=user) | Q(trainers=user)).distinct()
    return get_object_or_404(sessions, pk=pk)


def coordinated_enrollments(user):
    """Applications and enrolments a coordinator decides on: learners of their regions."""
    enrollments = Enrollment.objects.select_related("user", "cohort__course", "region")
    if is_admin(user):
        return enrollments
    return enrollments.filter(region__in=user.coordinated_region_ids())


def roster_enrollments(user, cohort: Cohort, *, teaches: bool | None = None):
    """Learners of ``cohort`` that ``user`` may see: all for its trainers and the admin,
    their own region's for a coordinator. ``teaches`` is ``can_teach(user, cohort)`` when the
    caller already knows it."""
    enrollments = cohort.enrollments.select_related("user", "region")
    if can_teach(user, cohort) if teaches is None else teaches:
        return enrollments
    return enrollments.filter(region__in=user.coordinated_region_ids())
