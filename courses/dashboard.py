"""The learner's panel on the dashboard: courses with progress, next seminars, modules to study."""

from django.db.models import Exists, OuterRef
from django.utils.timezone import now

from .models import SEAT_STATUSES, CourseModule, Enrollment, ModuleProgress, SeminarSession
from .selectors import learner_enrollments, progress_for_enrollments

NEXT_SESSIONS = 5


def learning_panel(request):
    user = request.user
    enrollments = list(learner_enrollments(user))
    if not enrollments:
        return None
    studying = [e for e in enrollments if e.status in SEAT_STATUSES]
    progress = progress_for_enrollments(studying)
    cohort_ids = [e.cohort_id for e in studying if e.status == Enrollment.Status.ENROLLED]
    course_ids = {e.cohort.course_id for e in studying}
    sessions = (
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
        "now": now(),
    }
