import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lms.models import Organisation, Region, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


def test_demo_builds_people_of_every_role_in_the_programme_regions_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("demo", stdout=open("/dev/null", "w"))
    counts = (User.objects.count(), Organisation.objects.count(), RoleAssignment.objects.count())
    call_command("demo", stdout=open("/dev/null", "w"))
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        RoleAssignment.objects.count(),
    ) == counts

    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    programme = set(Region.objects.filter(in_programme=True).values_list("pk", flat=True))
    assert set(Organisation.objects.values_list("region", flat=True)) == programme
    for user in User.objects.all():
        assert user.consents.exists()
        assert user.emailaddress_set.filter(verified=True, primary=True).exists()


def test_demo_home_page_shows_the_programme_targets(client, settings):
    settings.DEBUG = True
    call_command("demo", stdout=open("/dev/null", "w"))
    page = client.get("/").content.decode()
    assert "Цели программы" in page
    assert "175" in page


def test_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("demo")
    assert not User.objects.exists()


def test_demo_completions_come_from_attendance_that_has_taken_place(settings):
    """The demo reaches completion the way the programme does: marks of seminars and
    supervisions that have begun, never marks made in advance."""
    from django.utils.timezone import now

    from courses.models import Attendance, Enrollment
    from supervision.models import Booking

    settings.DEBUG = True
    call_command("demo", stdout=open("/dev/null", "w"))
    assert Enrollment.objects.filter(
        status="completed", user__email="gareeva@demo.opeka.local"
    ).exists()
    assert not Attendance.objects.filter(session__starts_at__gt=now()).exists()
    assert not Booking.objects.filter(
        session__starts_at__gt=now(), status__in=["attended", "absent", "excused"]
    ).exists()
