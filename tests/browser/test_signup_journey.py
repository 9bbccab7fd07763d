"""A newcomer's first visit, in a real browser: sign up, confirm the e-mail, sign in, and see
the dashboard with the time in their own zone."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_signup_confirm_login_and_dashboard_in_the_users_zone(page, screenshot):
    from lms.models import ConsentText

    print("COUNT", ConsentText.objects.count())
    page.goto("/")
    page.get_by_role("link", name="Регистрация").click()

    page.get_by_label("Адрес электронной почты").fill("anna.smirnova@example.org")
    page.get_by_label("Фамилия").fill("Смирнова")
    page.get_by_label("Имя", exact=True).fill("Анна")
    page.get_by_label("Отчество").fill("Сергеевна")
    page.get_by_label("Регион").select_option(label="Новосибирская область")
    page.get_by_label("Другая организация").fill("Отдел опеки и попечительства г. Бердска")
    page.get_by_label("Должность").fill("Специалист по опеке")
    page.get_by_label("Пароль", exact=True).fill("Надёжный-пароль-42")
    page.get_by_label("Пароль (ещё раз)").fill("Надёжный-пароль-42")

    # Without consent nothing is created, and what was typed stays.
    page.get_by_role("button", name="Зарегистрируйтесь").click()
    assert page.get_by_text("Без согласия на обработку персональных данных").is_visible()
    assert page.get_by_label("Фамилия").input_value() == "Смирнова"
    screenshot("signup-consent-required")

    page.get_by_label("Пароль", exact=True).fill("Надёжный-пароль-42")
    page.get_by_label("Пароль (ещё раз)").fill("Надёжный-пароль-42")
    page.get_by_label("Я даю согласие").check()
    page.get_by_role("button", name="Зарегистрируйтесь").click()
    page.wait_for_url("**/accounts/confirm-email/")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url("**/dashboard/")

    # Sign out and in again with the new password.
    page.get_by_role("button", name="Выйти").click()
    page.get_by_role("link", name="Войти", exact=True).first.click()
    page.get_by_label("Адрес электронной почты").fill("anna.smirnova@example.org")
    page.get_by_label("Пароль").fill("Надёжный-пароль-42")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/dashboard/")

    assert page.get_by_role("heading", name="Здравствуйте, Анна Сергеевна!").is_visible()
    local_time = page.get_by_test_id("local-time").inner_text()
    assert "Asia/Novosibirsk" in local_time
    expected = timezone.localtime(timezone.now(), timezone=ZoneInfo("Asia/Novosibirsk"))
    assert f"{expected:%H}:" in local_time
    screenshot("dashboard-after-signup")
