"""Status labels on pages follow the reader's language (lms.models.ChoiceLabelsMixin)."""

from django.utils import translation

from courses.models import Enrollment


def test_status_labels_are_translated_for_each_reader_and_unknown_values_shown_as_they_are():
    enrollment = Enrollment(status=Enrollment.Status.ENROLLED)
    with translation.override("ru"):
        russian = enrollment.get_status_display()
    with translation.override("en"):
        english = enrollment.get_status_display()
    assert russian == str(Enrollment.Status.ENROLLED.label)
    with translation.override("en"):
        assert english == str(Enrollment.Status.ENROLLED.label)
    assert russian != english
    enrollment.status = "archived-in-2019"
    assert enrollment.get_status_display() == "archived-in-2019"
