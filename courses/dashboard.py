"""The learner's panel on the dashboard: courses with progress, next seminars, modules to study.

The panel is kept (lms.versions) under the learner's own version and those of their cohorts,
until the first seminar it lists is over: the dashboard then costs one query for it.
"""

from django.db.models import Exists, OuterRef

from lms.versions import piece

from . import versions
from .models import SEAT_STATUSES, CourseModule, Enrollment, ModuleProgress, SeminarSession
from .selectors import learner_enrollments, progress_for_enrollments

NEXT_SESSIONS = 5


def learning_panel(request):
    user = request.user
    cohort_ids = sorted(
        set(
            Enrollment.objects.filter(user=user)
            .exclude(status=Enrollment.Status.TRANSFERRED)
            .values_list("cohort_id", flat=True)
        )
    )
    if not cohort_ids:
        return None
    html = piece(
        request,
        name=f"learning:{user.pk}",
        scopes=[versions.user_scope(user.pk), *versions.cohort_scopes(cohort_ids)],
        template="courses/panels/learning_body.html",
        context=lambda: _panel_context(user),
    )
    return {"html": html}


def _panel_context(user) -> dict:
    panel = learning(user)
    # The list of next seminars changes when the first of them is over.
    return {"panel": panel, "expires_at": min((s.ends_at for s in panel["sessions"]), default=None)}


def learning(user) -> dict:
    """What the panel shows: each enrolment with its progress, the next seminars, the modules."""
    enrollments = list(learner_enrollments(user))
    studying = [e for e in enrollments if e.status in SEAT_STATUSES]
    progress = progress_for_enrollments(studying)
    cohort_ids = [e.cohort_id for e in studying if e.status == Enrollment.Status.ENROLLED]
    course_ids = {e.cohort.course_id for e in studying}
    sessions = list(
        SeminarSession.objects.upcoming()
        .filter(cohort_id__in=cohort_ids)
        .select_related("cohort__course")
        .order_by("starts_at")[:NEXT_SESSIONS]
    )
    modules = (
        CourseModule.objects.filter(course_id__in=course_ids)
        .select_related("course", "page")
        .annotate(studied=Exists(ModuleProgress.objects.filter(user=user, module=OuterRef("pk"))))
    )
    return {
        "enrollments": [{"enrollment": e, "progress": progress.get(e.pk)} for e in enrollments],
        "sessions": sessions,
        "modules": [{"module": m, "studied": m.studied} for m in modules],
    }
