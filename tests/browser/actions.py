"""What people do in every journey: sign in (with the second factor where asked), sign out."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.factories import DEFAULT_PASSWORD, totp_secret


def sign_in(page, email, code_for=None):
    page.goto("/accounts/login/")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(DEFAULT_PASSWORD)
    page.locator("main").get_by_role("button", name="Войти").click()
    if code_for is not None:
        page.wait_for_url("**/2fa/authenticate/")
        code = format_hotp_value(hotp_value(totp_secret(code_for), int(time.time()) // 30))
        page.get_by_label("Код").fill(code)
        page.locator("main").get_by_role("button").first.click()
    page.wait_for_url("**/dashboard/")


def sign_out(page):
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url("**/")
