from .models import Attendance, Enrollment, ModuleProgress


def export(user) -> dict:
    return {
        "enrollments": [
            {
                "course": e.cohort.course.title,
                "cohort": e.cohort.title,
                "status": e.status,
                "position": e.position,
                "organisation": e.organisation_name,
                "motivation": e.motivation,
                "applied_at": e.applied_at.isoformat(),
                "decision_reason": e.decision_reason,
            }
            for e in Enrollment.objects.filter(user=user).select_related("cohort__course")
        ],
        "attendance": [
            {
                "seminar": a.session.title,
                "starts_at": a.session.starts_at.isoformat(),
                "status": a.status,
            }
            for a in Attendance.objects.filter(enrollment__user=user).select_related("session")
        ],
        "modules_studied": [
            {"module": p.module.title, "studied_at": p.studied_at.isoformat()}
            for p in ModuleProgress.objects.filter(user=user).select_related("module")
        ],
    }
