"""Demo: certificates for the demo's completed learners (the PDFs are generated right away in
development, where Celery runs tasks eagerly). Idempotent."""

from courses.models import Enrollment

from .models import Certificate
from .services import certificate_for_enrollment


def load(stdout):
    waiting = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).exclude(
        certificates__status__in=[Certificate.Status.PENDING, Certificate.Status.VALID]
    )
    for enrollment in waiting.select_related("user", "cohort__course"):
        certificate_for_enrollment(enrollment=enrollment)
