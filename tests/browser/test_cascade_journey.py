"""A team lead plans an event that took place yesterday, reports it with a participant list and a
photo; the coordinator accepts the report, the region's reach grows, and the coordinator merges a
participant the list spelled twice."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cascade import services
from cascade.models import Event, Person
from cascade.reach import reach_refresh
from certificates.models import Certificate
from tests.browser.actions import sign_in, sign_out
from tests.factories import enroll, make_cohort, make_course, make_user, region

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PARTICIPANTS = (
    "ФИО;Организация;Должность\n"
    "Ахметова Зарина Ильдаровна;Отдел опеки г. Уфы;специалист\n"
    "Хабибуллина Айгуль Рифовна;ЦСОН г. Уфы;психолог\n"
    "Хабибуллина А. Р.;ЦСОН г. Уфы;психолог\n"
)


def test_a_lead_reports_the_coordinator_accepts_and_the_reach_grows(page, screenshot, tmp_path):
    course = make_course(modules=2)
    cohort = make_cohort(course, regions=("02",), status="finished")
    lead = make_user(
        "lead@example.org",
        role="specialist",
        region_code="02",
        last_name="Галиева",
        first_name="Лилия",
        middle_name="Маратовна",
    )
    enroll(lead, cohort, status="completed")
    reach_refresh()
    coordinator = make_user("c02@example.org", role="coordinator", region_code="02", totp=True)
    services.team_create(
        by=coordinator,
        region=region("02"),
        name="Уфимская команда",
        lead=lead,
        modules=course.modules.all(),
    )
    zone = ZoneInfo(region("02").timezone)
    yesterday = (timezone.now().astimezone(zone) - dt.timedelta(days=1)).date()

    sign_in(page, lead.email)
    page.get_by_role("navigation").get_by_role("link", name="Каскад").click()
    page.get_by_role("link", name="Уфимская команда").click()
    page.get_by_role("link", name="Запланировать мероприятие").click()
    page.get_by_label("Название").fill("Раннее выявление неблагополучия")
    page.get_by_label("Модуль 1").check()
    page.get_by_label("Формат").select_option("in_person")
    page.get_by_label("Дата начала").fill(yesterday.isoformat())
    page.get_by_label("Время начала").fill("10:00")
    page.get_by_label("Дата окончания").fill(yesterday.isoformat())
    page.get_by_label("Время окончания").fill("14:00")
    page.get_by_label("Муниципальное образование").fill("г. Уфа")
    page.get_by_label("Место проведения").fill("Ресурсный центр")
    page.get_by_label("Ожидается участников").fill("5")
    page.get_by_label("Академических часов").fill("4")
    page.get_by_label("Галиева Лилия Маратовна").check()
    page.get_by_role("button", name="Запланировать").click()
    assert page.get_by_text("Мероприятие запланировано.").is_visible()
    event = Event.objects.get()
    # Entered at 10:00 in Ufa (UTC+5).
    assert event.starts_at.astimezone(dt.UTC).hour == 5

    participants = tmp_path / "uchastniki.csv"
    participants.write_text("ФИО;Организация;Должность\nБез организации\n", encoding="utf-8")
    page.get_by_label("Список участников (CSV или XLSX)").set_input_files(participants)
    page.get_by_role("button", name="Загрузить список").click()
    assert page.get_by_text("Список не сохранён").is_visible()
    participants.write_text(PARTICIPANTS, encoding="utf-8")
    page.get_by_label("Список участников (CSV или XLSX)").set_input_files(participants)
    page.get_by_role("button", name="Загрузить список").click()
    assert page.get_by_text("Список принят: добавлено 3").is_visible()
    page.get_by_label("Итоги").fill("Разобрали три случая раннего выявления с коллегами.")
    photo = tmp_path / "photo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "steelblue").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    page.get_by_label("Материалы, фотографии, документы").set_input_files(photo)
    screenshot("cascade-report")
    page.get_by_role("button", name="Отправить отчёт").click()
    assert page.get_by_test_id("event-status").inner_text() == "Отчёт на проверке"
    sign_out(page)

    sign_in(page, coordinator.email, code_for=coordinator)
    page.get_by_role("navigation").get_by_role("link", name="Каскад").click()
    page.get_by_role("link", name="Республика Башкортостан").click()
    assert page.get_by_text("Отчётов на проверке: 1").is_visible()
    assert page.get_by_test_id("reach-total").inner_text().startswith("Обучено всего: 1.")
    page.get_by_role("link", name="Раннее выявление неблагополучия").click()
    assert page.get_by_role("link", name="photo.png").is_visible()
    page.get_by_label("Принять отчёт").check()
    screenshot("cascade-review")
    page.get_by_role("button", name="Сохранить решение").click()
    assert page.get_by_test_id("event-status").inner_text() == "Принято"
    # Everyone at the event got a certificate of participation, handed out as one ZIP.
    assert Certificate.objects.filter(participation__event=event, status="valid").count() == 3
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать все сертификаты (ZIP)").click()
    assert download.value.suggested_filename == f"certificates-event-{event.pk}.zip"

    page.get_by_role("link", name="Уфимская команда").click()
    page.get_by_role("link", name="Республика Башкортостан").click()
    # The graduate lead (wave 1) and three listed records (wave 2), one of them spelled twice.
    assert page.get_by_test_id("reach-total").inner_text().startswith("Обучено всего: 4.")
    assert page.get_by_text("волна 2: 3").first.is_visible()
    screenshot("cascade-region")

    page.get_by_role("link", name="Повторы в списках").click()
    group = page.get_by_test_id("merge-group")
    assert group.count() == 1
    assert group.get_by_label("Оставить запись Хабибуллина Айгуль Рифовна").is_checked()
    screenshot("cascade-people")
    group.get_by_role("button", name="Объединить отмеченные").click()
    assert page.get_by_text("Объединено: Хабибуллина А. Р.").is_visible()
    assert Person.objects.get(full_name="Хабибуллина А. Р.").merged_into.full_name == (
        "Хабибуллина Айгуль Рифовна"
    )
    page.get_by_role("link", name="Каскад: Республика Башкортостан").click()
    assert page.get_by_test_id("reach-total").inner_text().startswith("Обучено всего: 3.")


def test_a_coordinator_who_reported_an_event_waits_for_another_to_accept_it(
    page, screenshot, live_server
):
    course = make_course(modules=1)
    cohort = make_cohort(course, regions=("02",), status="finished")
    lead = make_user("lead@example.org", role="specialist", region_code="02")
    enroll(lead, cohort, status="completed")
    coordinator = make_user(
        "c02@example.org",
        role="coordinator",
        region_code="02",
        totp=True,
        last_name="Сафина",
        first_name="Эльвира",
        middle_name="Ринатовна",
    )
    second = make_user(
        "c02b@example.org",
        role="coordinator",
        region_code="02",
        totp=True,
        last_name="Валиев",
        first_name="Тимур",
        middle_name="Рустемович",
    )
    team = services.team_create(by=coordinator, region=region("02"), name="Т", lead=lead)
    start = timezone.now() - dt.timedelta(days=1)
    event = services.event_plan(
        team=team,
        by=coordinator,
        trainers=[lead],
        modules=course.modules.all(),
        title="Работа со случаем",
        format=Event.Format.ONLINE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        municipality="г. Уфа",
        link="https://meet.example.org/ufa",
        expected_participants=5,
        hours=4,
    )
    sign_in(page, coordinator.email, code_for=coordinator)
    page.goto(live_server.url + reverse("cascade:event_detail", args=[event.pk]))
    page.get_by_label("Список участников (CSV или XLSX)").set_input_files(
        {"name": "list.csv", "mimeType": "text/csv", "buffer": PARTICIPANTS.encode("utf-8")}
    )
    page.get_by_role("button", name="Загрузить список").click()
    page.get_by_label("Итоги").fill("Провели онлайн для трёх районов.")
    page.get_by_role("button", name="Отправить отчёт").click()
    assert page.get_by_test_id("event-status").inner_text() == "Отчёт на проверке"
    assert page.get_by_text("Отчёт ждёт решения другого координатора").is_visible()
    assert page.get_by_role("button", name="Сохранить решение").count() == 0
    screenshot("cascade-own-report")
    sign_out(page)

    sign_in(page, second.email, code_for=second)
    page.get_by_role("navigation").get_by_role("link", name="Каскад").click()
    page.get_by_role("link", name="Республика Башкортостан").click()
    page.get_by_role("link", name="Работа со случаем").click()
    assert "Сафина Эльвира Ринатовна" in page.get_by_test_id("event-trail").inner_text()
    page.get_by_label("Принять отчёт").check()
    page.get_by_role("button", name="Сохранить решение").click()
    assert page.get_by_test_id("event-status").inner_text() == "Принято"
    trail = page.get_by_test_id("event-trail").inner_text()
    assert "Отчёт принят:" in trail and "Валиев Тимур Рустемович" in trail
    screenshot("cascade-accepted-by-another")
