"""The shell every page shares: time zone, language, profile, error pages, health."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.urls import reverse

from lms.models import Role
from tests.browser.conftest import ROOT
from tests.factories import make_user, organisation, region

pytestmark = pytest.mark.django_db

LAST_LOGIN = dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("region_code", "own_zone", "shown"),
    [
        ("54", "", "2 марта 2026, 13:30"),  # Novosibirsk, UTC+7
        ("55", "", "2 марта 2026, 12:30"),  # Omsk, UTC+6
        ("02", "", "2 марта 2026, 11:30"),  # Ufa, UTC+5
        ("50", "", "2 марта 2026, 09:30"),  # Moscow region, UTC+3
        ("54", "Europe/Kaliningrad", "2 марта 2026, 08:30"),  # the person's own choice wins
    ],
)
def test_pages_show_times_in_the_readers_zone(client, region_code, own_zone, shown):
    user = make_user(
        "reader@example.org", role=Role.SPECIALIST, region_code=region_code, timezone=own_zone
    )
    user.last_login = LAST_LOGIN
    user.save()
    client.force_login(user)
    user.last_login = LAST_LOGIN  # force_login moved it; put the known instant back
    type(user).objects.filter(pk=user.pk).update(last_login=LAST_LOGIN)
    page = client.get(reverse("dashboard")).content.decode()
    assert shown in page


def test_the_site_is_russian_even_for_an_english_browser(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ru">' in page
    assert "Войти" in page


def test_english_is_one_click_away_and_sticks_to_the_profile(client, specialist):
    client.force_login(specialist)
    response = client.post(reverse("language_set"), {"language": "en", "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    specialist.refresh_from_db()
    assert specialist.language == "en"
    page = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en">' in page
    assert "Sign out" in page
    assert "My account" in page


def test_the_language_switch_refuses_foreign_redirects(client):
    response = client.post(
        reverse("language_set"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_profile_edits_are_saved(client, specialist):
    client.force_login(specialist)
    response = client.post(
        reverse("profile"),
        {
            "last_name": "Петрова",
            "first_name": "Мария",
            "middle_name": "",
            "region": region("70").pk,
            "organisation": "",
            "organisation_name": "Отдел опеки г. Северска",
            "position": "Начальник отдела",
            "phone": "+7 913 000-00-00",
            "timezone": "Asia/Tomsk",
            "language": "ru",
        },
    )
    assert response.status_code == 302
    specialist.refresh_from_db()
    assert specialist.get_full_name() == "Петрова Мария"
    assert specialist.organisation.region.code == "70"
    assert specialist.effective_timezone == "Asia/Tomsk"


def test_bad_profile_input_keeps_what_was_typed_and_saves_nothing(client, specialist):
    client.force_login(specialist)
    foreign = organisation("02", "Отдел опеки г. Уфы")
    response = client.post(
        reverse("profile"),
        {
            "last_name": "",
            "first_name": "Мария",
            "region": region("54").pk,
            "organisation": foreign.pk,
            "position": "Новая должность",
            "timezone": "Mars/Olympus",
            "language": "ru",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Профиль не сохранён" in page
    assert "Требуется заполнить это поле." in page
    assert "находится в другом регионе" in page
    assert "Выберите корректный вариант" in page
    assert 'value="Новая должность"' in page
    specialist.refresh_from_db()
    assert specialist.last_name == "Иванова"


def test_unknown_pages_get_a_russian_404(client):
    response = client.get("/нет-такой-страницы/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "eager",
        "cache": "local",
    }


def test_with_the_cache_unreachable_pages_serve_sign_in_works_and_healthz_says_so(
    client, settings, caplog, library
):
    """Redis for the cache on a port nobody listens on: every page is built from the
    database, signing in works (throttles count nothing meanwhile), /healthz says "degraded"."""
    from lms.settings.base import cache_from_url
    from tests.factories import DEFAULT_PASSWORD, make_user, practice

    settings.CACHES = {"default": cache_from_url("redis://127.0.0.1:9/1")}
    specialist = make_user("s@example.org", role="specialist")
    page = practice(library, "Школа приёмных родителей")
    for url in ("/", "/library/", "/library/?q=приёмных", page.url, "/courses/"):
        assert client.get(url).status_code == 200, url
    assert "Школа приёмных родителей" in client.get("/library/?q=приёмных").content.decode()
    assert client.get("/verify/ABCD-EFGH/").status_code == 404  # looked up, not a 500
    response = client.post(
        "/accounts/login/", {"login": specialist.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("profile")).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["cache"] == "down"
    assert "cache unreachable" in caplog.text


def test_healthz_is_503_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.LMS_HEALTHZ_BROKER_TIMEOUT = 1
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nobody listens
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_the_dashboard_costs_the_same_queries_whatever_the_data(
    client, django_assert_max_num_queries
):
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    for n in range(30):
        make_user(f"other{n}@example.org", role=Role.SPECIALIST)
    client.force_login(user)
    client.get(
        reverse("dashboard")
    )  # the first page after sign-in notes the consent in the session
    # session, user, roles, the learning panel, the supervision panel
    with django_assert_max_num_queries(5):
        assert client.get(reverse("dashboard")).status_code == 200


def test_mail_leaves_through_celery_after_commit_and_never_from_a_rollback(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.mail import send_mail

    settings.EMAIL_BACKEND = "lms.mail.CeleryEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            send_mail("Тема", "Текст", None, ["a@example.org"])
            raise RuntimeError("rolled back")
        with transaction.atomic():
            send_mail("Напоминание", "Текст письма", None, ["b@example.org"])
            assert mailoutbox == []  # nothing leaves before the commit
    assert [(m.subject, m.to) for m in mailoutbox] == [("Напоминание", ["b@example.org"])]


def test_the_favicon_is_found_not_a_404(client):
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    assert (ROOT / "static" / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


def _menu(client, user) -> list[str]:
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    nav = page.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_the_admins_menu_lists_staff_tools_not_every_roles_pages(client):
    admin = make_user("admin@example.org", role="admin", totp=True)
    menu = _menu(client, admin)
    assert {"Координация", "Реестр сертификатов", "Редакция", "Администрирование"} <= set(menu)
    assert not {"Сертификаты", "Супервизии", "Мои потоки", "Мои супервизии"} & set(menu)
    assert len(menu) <= 9
    assert "Сертификаты" in _menu(client, make_user("s@example.org", role="specialist"))
    assert "Мои потоки" in _menu(client, make_user("t@example.org", role="trainer"))
