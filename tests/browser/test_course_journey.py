"""A specialist applies, the coordinator approves, the specialist opens a module and sees the
next seminar in their own zone."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from cms.models import HomePage, ModuleIndexPage, SeminarModulePage
from tests.browser.actions import sign_in, sign_out
from tests.factories import (
    make_cohort,
    make_course,
    make_session,
    make_user,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_apply_approve_then_study(page, screenshot):
    course = make_course("Семейно-ориентированный подход в работе органов опеки", modules=1)
    cohort = make_cohort(course, regions=("54",), title="Поток — Новосибирская область")
    starts = (
        (timezone.now() + dt.timedelta(days=3))
        .astimezone(zoneinfo.ZoneInfo("Asia/Novosibirsk"))
        .replace(hour=10, minute=0, second=0, microsecond=0)
    )
    make_session(cohort, starts_at=starts, title="Работа со случаем", timezone="Asia/Novosibirsk")
    index = HomePage.objects.get().add_child(instance=ModuleIndexPage(title="Модули", slug="m"))
    module_page = index.add_child(
        instance=SeminarModulePage(
            title="Раннее выявление неблагополучия",
            slug="early",
            summary="Кратко",
            body=[("paragraph", "<p>Полный текст модуля для слушателей.</p>")],
        )
    )
    module = course.modules.get()
    module.page = module_page
    module.title = module_page.title
    module.save()
    specialist = make_user(
        "anna@example.org",
        role="specialist",
        region_code="54",
        first_name="Анна",
        middle_name="Сергеевна",
    )
    coordinator = make_user("coord@example.org", role="coordinator", region_code="54", totp=True)

    sign_in(page, specialist.email)
    page.get_by_role("link", name="Курсы").click()
    page.get_by_role("link", name=course.title).click()
    page.get_by_role("link", name="Подать заявку").click()
    page.get_by_label("Должность").fill("Ведущий специалист отдела опеки")
    page.get_by_label("Почему вы хотите пройти обучение").fill("Работаю с кровными семьями.")
    page.get_by_role("button", name="Отправить заявку").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_text("Заявка подана").is_visible()
    assert page.get_by_text("Заявка на рассмотрении").is_visible()
    sign_out(page)

    sign_in(page, coordinator.email, code_for=coordinator)
    page.get_by_role("link", name="Координация").click()
    assert page.get_by_text("Работаю с кровными семьями.").is_visible()
    screenshot("coordinator-applications")
    page.get_by_role("button", name="Одобрить").click()
    assert page.get_by_text("Зачислен").first.is_visible()
    sign_out(page)

    sign_in(page, specialist.email)
    assert page.get_by_text("Зачислен").first.is_visible()
    next_session = page.get_by_test_id("next-session").first.inner_text()
    assert "10:00–13:00 (Asia/Novosibirsk)" in next_session
    screenshot("learner-dashboard")
    page.get_by_role("link", name="Раннее выявление неблагополучия").click()
    assert page.get_by_text("Полный текст модуля для слушателей.").is_visible()
    page.get_by_role("button", name="Я изучил(а) модуль").click()
    assert page.get_by_text("Модуль изучен").is_visible()
    screenshot("module-page")
