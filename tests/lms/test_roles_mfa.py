import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms import services
from lms.models import Role, RoleAssignment, SecurityEvent
from tests.factories import DEFAULT_PASSWORD, make_user, region, totp_secret

pytestmark = pytest.mark.django_db


def current_code(user):
    return format_hotp_value(hotp_value(totp_secret(user), int(time.time()) // 30))


def test_a_person_may_hold_several_roles_and_the_admin_holds_them_all(specialist):
    assert specialist.has_role(Role.SPECIALIST)
    assert not specialist.has_role(Role.TRAINER, Role.EDITOR)
    services.role_grant(user=specialist, role=Role.TRAINER)
    assert specialist.has_role(Role.TRAINER)
    assert specialist.roles == {Role.SPECIALIST, Role.TRAINER}

    admin = make_user("admin@example.org", role=Role.ADMIN)
    assert admin.is_staff and admin.is_superuser
    assert admin.has_role(Role.EDITOR, Role.COORDINATOR)


def test_a_coordinator_is_scoped_to_regions(specialist):
    with pytest.raises(ValidationError, match="нужно указать регион"):
        services.role_grant(user=specialist, role=Role.COORDINATOR)
    services.role_grant(user=specialist, role=Role.COORDINATOR, region=region("54"))
    services.role_grant(user=specialist, role=Role.COORDINATOR, region=region("70"))
    fresh = type(specialist).objects.get(pk=specialist.pk)
    assert fresh.coordinated_region_ids() == {region("54").pk, region("70").pk}


def test_granting_twice_keeps_one_row_and_changes_are_logged_with_who(specialist):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    services.role_grant(user=specialist, role=Role.EDITOR, by=admin)
    services.role_grant(user=specialist, role=Role.EDITOR, by=admin)
    assert RoleAssignment.objects.filter(user=specialist, role=Role.EDITOR).count() == 1
    assert specialist.groups.filter(name=services.EDITORS_GROUP).exists()

    services.role_revoke(user=specialist, role=Role.EDITOR, by=admin)
    assert not specialist.groups.filter(name=services.EDITORS_GROUP).exists()
    kinds = list(
        SecurityEvent.objects.filter(user=specialist, actor=admin)
        .order_by("at")
        .values_list("kind", "detail")
    )
    assert kinds == [
        ("role_granted", {"role": "editor", "region": None}),
        ("role_revoked", {"role": "editor", "region": None}),
    ]


def test_revoking_the_admin_role_takes_admin_access_away():
    admin = make_user("admin@example.org", role=Role.ADMIN)
    services.role_revoke(user=admin, role=Role.ADMIN)
    admin.refresh_from_db()
    assert not admin.is_staff and not admin.is_superuser


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EDITOR, Role.ADMIN])
def test_staff_roles_must_set_up_a_second_factor_first(client, role):
    user = make_user("staff@example.org", role=role)
    client.force_login(user)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    assert "обязательна двухфакторная защита" in response.content.decode()


def test_specialists_are_not_forced_to_use_mfa_but_may(client, specialist):
    client.post("/accounts/login/", {"login": specialist.email, "password": DEFAULT_PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
    # Setting up a factor asks for the password once more, as allauth does for every change.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith("/accounts/reauth")
    client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Аутентификатор" in page.content.decode()


def test_login_with_totp_asks_for_the_code(client):
    user = make_user("editor@example.org", role=Role.EDITOR, totp=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard")).status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Неверный код" in wrong.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(user)})
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_an_editor_reaches_the_wagtail_admin_and_a_specialist_does_not(client, specialist):
    editor = make_user("editor@example.org", role=Role.EDITOR, totp=True)
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    client.force_login(specialist)
    assert client.get("/admin/").status_code == 302


def test_removing_the_authenticator_brings_the_mfa_requirement_back(client):
    from allauth.mfa.models import Authenticator

    coordinator = make_user("coord@example.org", role=Role.COORDINATOR, totp=True)
    client.force_login(coordinator)
    assert client.get(reverse("dashboard")).status_code == 200
    Authenticator.objects.filter(user=coordinator).delete()
    # the signal allauth sends on removal clears the remembered check
    from allauth.mfa.signals import authenticator_removed

    request = client.get(reverse("dashboard")).wsgi_request
    authenticator_removed.send(sender=Authenticator, request=request, user=coordinator)
    request.session.save()
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_activate_totp")
