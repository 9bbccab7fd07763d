"""Reads of the courses app. Each function costs a fixed number of queries whatever the data."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.timezone import now

from .models import (
    SEAT_STATUSES,
    Attendance,
    CourseModule,
    Enrollment,
    ModuleProgress,
    SeminarSession,
)


@dataclass(frozen=True)
class Progress:
    sessions_total: int
    sessions_attended: int
    sessions_excused: int
    modules_total: int
    modules_studied: int
    supervisions_attended: int
    attendance_needed: int
    modules_needed: int
    supervisions_needed: int

    @property
    def complete(self) -> bool:
        return (
            self.sessions_attended >= self.attendance_needed
            and self.modules_studied >= self.modules_needed
            and self.supervisions_attended >= self.supervisions_needed
        )

    @property
    def percent(self) -> int:
        """One figure for the progress bar: the share of what the rules ask that is done."""
        needed = self.attendance_needed + self.modules_needed + self.supervisions_needed
        if not needed:
            return 100
        done = (
            min(self.sessions_attended, self.attendance_needed)
            + min(self.modules_studied, self.modules_needed)
            + min(self.supervisions_attended, self.supervisions_needed)
        )
        return round(100 * done / needed)


def _share_needed(total: int, percent: int) -> int:
    """How many of ``total`` make ``percent``, rounded up; at least one when a share is asked."""
    if percent == 0:
        return 0
    return max(1, -(-total * percent // 100))


def progress_for_enrollments(enrollments) -> dict[int, Progress]:
    """Progress of each enrolment against its course's rules, in four queries.

    Attendance counts every session of the course the person attended, in this cohort or in one
    they were moved from; sessions they missed for a valid reason are not asked of them. Only
    sessions that have begun count a mark.
    """
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    cohort_ids = {e.cohort_id for e in enrollments}
    user_ids = {e.user_id for e in enrollments}
    course_of_cohort = {e.cohort_id: e.cohort.course_id for e in enrollments}
    course_ids = set(course_of_cohort.values())

    sessions = dict(
        SeminarSession.objects.filter(cohort_id__in=cohort_ids, cancelled=False)
        .values_list("cohort_id")
        .annotate(n=Count("pk"))
    )
    marks = defaultdict(lambda: (0, 0))
    for user_id, course_id, present, excused in (
        Attendance.objects.filter(
            enrollment__user_id__in=user_ids,
            session__cohort__course_id__in=course_ids,
            session__cancelled=False,
            session__starts_at__lte=now(),  # a mark made in advance (before this was refused)
        )
        .values_list("enrollment__user_id", "session__cohort__course_id")
        .annotate(
            present=Count("session", filter=Q(status=Attendance.Status.PRESENT), distinct=True),
            excused=Count("session", filter=Q(status=Attendance.Status.EXCUSED), distinct=True),
        )
    ):
        marks[(user_id, course_id)] = (present, excused)
    modules = dict(
        CourseModule.objects.filter(course_id__in=course_ids)
        .values_list("course_id")
        .annotate(n=Count("pk"))
    )
    studied = dict(
        ((user_id, course_id), n)
        for user_id, course_id, n in ModuleProgress.objects.filter(
            user_id__in=user_ids, module__course_id__in=course_ids
        )
        .values_list("user_id", "module__course_id")
        .annotate(n=Count("pk"))
    )

    result = {}
    for e in enrollments:
        course = e.cohort.course
        total = sessions.get(e.cohort_id, 0)
        present, excused = marks[(e.user_id, course.pk)]
        modules_total = modules.get(course.pk, 0)
        result[e.pk] = Progress(
            sessions_total=total,
            sessions_attended=present,
            sessions_excused=excused,
            modules_total=modules_total,
            modules_studied=studied.get((e.user_id, course.pk), 0),
            supervisions_attended=e.supervisions_attended,
            attendance_needed=_share_needed(
                max(total - excused, 0), course.completion_attendance_percent
            ),
            modules_needed=(
                _share_needed(modules_total, course.completion_modules_percent)
                if modules_total
                else 0
            ),
            supervisions_needed=course.completion_supervisions,
        )
    return result


def learner_enrollments(user):
    """A learner's current enrolments and applications, newest first, with cohort and course."""
    return (
        Enrollment.objects.filter(user=user)
        .exclude(status=Enrollment.Status.TRANSFERRED)
        .select_related("cohort__course")
        .order_by("-applied_at")
    )


def seats_taken(cohort) -> int:
    return Enrollment.objects.filter(cohort=cohort, status__in=SEAT_STATUSES).count()


# Two missed sessions (without a valid reason) put a learner on the coordinator's watch list.
AT_RISK_ABSENCES = 2


def learners_at_risk(enrollments):
    """Enrolled learners who missed AT_RISK_ABSENCES sessions or more, most absences first."""
    return (
        enrollments.filter(status=Enrollment.Status.ENROLLED)
        .annotate(
            absences=Count("attendance", filter=Q(attendance__status=Attendance.Status.ABSENT))
        )
        .filter(absences__gte=AT_RISK_ABSENCES)
        .select_related("user", "cohort")
        .order_by("-absences", "user__last_name")
    )


@dataclass(frozen=True)
class ModuleReader:
    """What a person may do with a module page: read it, and mark it studied."""

    can_read: bool
    module: CourseModule | None = None
    studied: bool = False
    can_mark: bool = False


def module_reader(user, page_id: int) -> ModuleReader:
    """Access to a module page: learners of the course's cohorts, their trainers and
    coordinators, editors and the admin. A learner's access costs one query."""
    from lms.models import Role

    modules = CourseModule.objects.filter(page_id=page_id).select_related("course")
    if not user.is_authenticated:
        return ModuleReader(can_read=False, module=modules.first())
    module = modules.annotate(
        learning=Exists(
            Enrollment.objects.filter(
                user=user, cohort__course_id=OuterRef("course_id"), status__in=SEAT_STATUSES
            )
        ),
        studied=Exists(ModuleProgress.objects.filter(user=user, module=OuterRef("pk"))),
    ).first()
    if user.has_role(Role.EDITOR):
        return ModuleReader(can_read=True, module=module)
    if module is None:
        return ModuleReader(can_read=False)
    if module.learning:
        return ModuleReader(can_read=True, module=module, studied=module.studied, can_mark=True)
    staff = module.course.cohorts.filter(
        Q(trainers=user) | Q(regions__in=user.coordinated_region_ids())
    ).exists()
    return ModuleReader(can_read=staff, module=module)
