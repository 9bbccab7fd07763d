import pytest
from django.urls import reverse

from lms.models import SecurityEvent
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def login(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def test_login_with_email_and_password_lands_on_the_dashboard(client, specialist):
    response = login(client, specialist.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN)
    assert event.user == specialist
    assert event.ip_address == "127.0.0.1"


def test_wrong_password_says_so_in_russian_and_is_logged_without_the_password(client, specialist):
    response = login(client, specialist.email, "неверный-пароль-123", REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200
    assert (
        "Указанные вами адрес электронной почты и/или пароль неверны." in response.content.decode()
    )
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert event.user == specialist
    assert event.ip_address == "198.51.100.4"
    assert event.detail == {"email": specialist.email}
    assert "неверный-пароль-123" not in str(event.detail)


def test_failed_logins_for_one_account_are_rate_limited(client, specialist):
    for _attempt in range(5):
        login(client, specialist.email, "неверный-пароль-123")
    # Even the right password is refused while the limit holds.
    response = login(client, specialist.email, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Слишком много неудачных попыток входа" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, specialist):
    from django.core import mail

    known = client.post("/accounts/password/reset/", {"email": specialist.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [[specialist.email], ["nobody@example.org"]]
    assert "сброс" in mail.outbox[0].subject.lower()


def test_account_emails_link_to_the_public_address_not_the_requests_host(
    client, specialist, settings
):
    from django.core import mail

    settings.SITE_URL = "https://opeka.example.org"
    client.post("/accounts/password/reset/", {"email": specialist.email})
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    for message in mail.outbox:
        assert "https://opeka.example.org/accounts/" in message.body
        assert "testserver" not in message.body


def test_password_reset_is_rate_limited_per_address(client, specialist):
    for _attempt in range(5):
        client.post("/accounts/password/reset/", {"email": specialist.email})
    response = client.post("/accounts/password/reset/", {"email": specialist.email})
    assert response.status_code == 429


def test_a_deactivated_account_loses_its_open_sessions(client, specialist):
    client.force_login(specialist)
    assert client.get(reverse("dashboard")).status_code == 200
    specialist.is_active = False
    specialist.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_writes_that_bypass_save_count_from_the_next_request(client, specialist):
    """A script, a data migration or another service writes with update() or delete(): no
    signal runs, and still the next request sees it, since who is asking is never cached."""
    from django.contrib.sessions.models import Session

    from lms.models import RoleAssignment, User

    coordinator = make_user("c54@example.org", role="coordinator", region_code="54", totp=True)
    client.force_login(coordinator)
    assert client.get(reverse("courses:coordinate")).status_code == 200
    RoleAssignment.objects.filter(user=coordinator).delete()
    assert client.get(reverse("courses:coordinate")).status_code == 404

    client.force_login(specialist)
    assert client.get(reverse("dashboard")).status_code == 200
    User.objects.filter(pk=specialist.pk).update(is_active=False)
    assert client.get(reverse("dashboard"))["Location"].startswith(LOGIN)

    User.objects.filter(pk=specialist.pk).update(is_active=True)
    client.force_login(specialist)
    Session.objects.all().delete()  # "sign out everywhere", done in the database
    assert client.get(reverse("dashboard"))["Location"].startswith(LOGIN)


def test_signing_out_the_other_sessions_ends_them_at_once(specialist):
    """«Где выполнен вход»: the person sees where they are signed in and signs the other
    browsers out; the other browser's next request goes to the sign-in page."""
    from django.test import Client

    here, elsewhere = Client(), Client(HTTP_USER_AGENT="Firefox на рабочем компьютере")
    for browser in (here, elsewhere):
        login(browser, specialist.email, DEFAULT_PASSWORD)
        assert browser.get(reverse("dashboard")).status_code == 200
    page = here.get(reverse("usersessions_list")).content.decode()
    assert "Выйти из других сеансов" in page and "Firefox" in page
    here.post(reverse("usersessions_list"))
    assert elsewhere.get(reverse("dashboard"))["Location"].startswith(LOGIN)
    assert here.get(reverse("dashboard")).status_code == 200
    assert 'href="/accounts/sessions/"' in here.get(reverse("dashboard")).content.decode()


def test_no_user_row_or_password_hash_is_kept_in_the_cache(client, specialist):
    from django.core.cache import cache

    client.force_login(specialist)
    assert client.get(reverse("dashboard")).status_code == 200
    kept = b"".join(value for value in cache._cache.values() if isinstance(value, bytes))
    assert specialist.password.encode() not in kept
    assert specialist.email.encode() not in kept


@pytest.mark.parametrize("url", ["/admin/login/", "/django-admin/login/"])
def test_admin_sites_have_no_login_of_their_own(client, url):
    admin = make_user("admin@example.org", role="admin", totp=True)
    response = client.post(url, {"username": admin.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_wagtail_admin_sends_anonymous_people_to_the_one_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_refused_access_gets_a_russian_403_and_is_logged(client, specialist):
    client.force_login(specialist)
    response = client.get("/django-admin/", follow=True)
    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCESS_DENIED)
    assert event.user == specialist
    assert event.detail == {"path": "/django-admin/login/"}


def test_changing_the_email_needs_the_new_address_confirmed(client, specialist):
    from django.core import mail

    client.post(LOGIN, {"login": specialist.email, "password": DEFAULT_PASSWORD})
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "new.address@example.org"}, follow=True
    )
    assert response.status_code == 200
    assert mail.outbox[-1].to == ["new.address@example.org"]
    assert "подтвердите" in mail.outbox[-1].subject.lower()
    specialist.refresh_from_db()
    assert specialist.email == "specialist@example.org"  # unchanged until confirmed


def test_wagtail_admin_has_no_password_reset_of_its_own(client):
    assert client.get("/admin/password_reset/").status_code == 404


def test_a_revoked_role_counts_from_the_next_request(client):
    from lms import services
    from lms.models import Role

    coordinator = make_user("c54@example.org", role="coordinator", totp=True)
    client.force_login(coordinator)
    assert client.get(reverse("courses:coordinate")).status_code == 200
    services.role_revoke(user=coordinator, role=Role.COORDINATOR, region=coordinator.region)
    assert client.get(reverse("courses:coordinate")).status_code == 404
