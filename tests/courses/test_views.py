import csv
import datetime as dt
import io

import icalendar
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import Attendance, AttendanceChange, Enrollment, SeminarSession
from courses.services import session_reminders_send
from lms.models import CalendarToken, User
from tests.factories import enroll, held, make_cohort, make_course, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two cohorts in two regions with their people."""
    course = make_course(modules=2)
    trainer = make_user("trainer@example.org", role="trainer", region_code="50")
    cohort = make_cohort(course, regions=("54",), capacity=5)
    cohort.trainers.add(trainer)
    other = make_cohort(course, regions=("02",))
    learner = make_user("learner@example.org", role="specialist", region_code="54")
    applicant = make_user("applicant@example.org", role="specialist", region_code="54")
    people = {
        "anon": None,
        "outsider": make_user("outsider@example.org", role="specialist", region_code="54"),
        "learner": learner,
        "trainer": trainer,
        "other_trainer": make_user("trainer2@example.org", role="trainer", region_code="50"),
        "coordinator": make_user(
            "c54@example.org", role="coordinator", region_code="54", totp=True
        ),
        "other_coordinator": make_user(
            "c02@example.org", role="coordinator", region_code="02", totp=True
        ),
        "admin": make_user("admin@example.org", role="admin", totp=True),
    }
    return {
        "course": course,
        "cohort": cohort,
        "other": other,
        "session": make_session(cohort),
        "enrollment": enroll(learner, cohort),
        "application": enroll(applicant, cohort, status="pending"),
        "people": people,
    }


def get_as(client, user, url, method="get", data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data or {})


PAGES = {
    # url builder -> who gets 200 (everyone else signed in gets 404; anonymous goes to login)
    "roster": (
        lambda w: reverse("courses:cohort_roster", args=[w["cohort"].pk]),
        {"trainer", "coordinator", "admin"},
    ),
    "attendance": (
        lambda w: reverse("courses:session_attendance", args=[w["session"].pk]),
        {"trainer", "admin"},
    ),
    "export": (
        lambda w: reverse("courses:attendance_export", args=[w["cohort"].pk, "csv"]),
        {"trainer", "coordinator", "admin"},
    ),
    "session_create": (
        lambda w: reverse("courses:session_create", args=[w["cohort"].pk]),
        {"trainer", "coordinator", "admin"},
    ),
    "session_edit": (
        lambda w: reverse("courses:session_edit", args=[w["session"].pk]),
        {"trainer", "coordinator", "admin"},
    ),
    "coordinate": (
        lambda w: reverse("courses:coordinate"),
        {"coordinator", "other_coordinator", "admin"},
    ),
    "teach": (lambda w: reverse("courses:teach"), {"trainer", "other_trainer", "admin"}),
    "move": (
        lambda w: reverse("courses:enrollment_move", args=[w["enrollment"].pk]),
        {"coordinator", "admin"},
    ),
    "import": (
        lambda w: reverse("courses:cohort_import", args=[w["cohort"].pk]),
        {"coordinator", "admin"},
    ),
}
ROLES = [
    "anon",
    "outsider",
    "learner",
    "trainer",
    "other_trainer",
    "coordinator",
    "other_coordinator",
    "admin",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ROLES)
def test_every_page_for_every_role(client, world, page, who):
    url_of, allowed = PAGES[page]
    response = get_as(client, world["people"][who], url_of(world))
    if who == "anon":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif who in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "status", "changed"),
    [
        ("coordinator", 302, True),
        ("admin", 302, True),
        ("other_coordinator", 404, False),
        ("trainer", 404, False),
        ("learner", 404, False),
    ],
)
def test_only_the_regions_coordinator_decides(client, world, who, status, changed):
    application = world["application"]
    url = reverse("courses:enrollment_decide", args=[application.pk])
    response = get_as(client, world["people"][who], url, "post", {"decision": "approve"})
    assert response.status_code == status
    application.refresh_from_db()
    assert (application.status == "enrolled") is changed


def test_a_learner_withdraws_only_their_own_enrolment(client, world):
    enrollment = world["enrollment"]
    url = reverse("courses:enrollment_withdraw", args=[enrollment.pk])
    assert get_as(client, world["people"]["outsider"], url, "post").status_code == 404
    assert get_as(client, world["people"]["learner"], url, "post").status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "withdrawn"


def test_only_learners_of_the_course_mark_its_modules(client, world):
    module = world["course"].modules.first()
    url = reverse("courses:module_studied", args=[module.pk])
    assert get_as(client, world["people"]["outsider"], url, "post").status_code == 404
    assert get_as(client, world["people"]["learner"], url, "post").status_code == 302
    assert world["people"]["learner"].module_progress.filter(module=module).exists()


def test_apply_through_the_page_then_coordinator_approves(client, world):
    outsider = world["people"]["outsider"]
    cohort = world["cohort"]
    page = get_as(client, outsider, reverse("courses:cohort_apply", args=[cohort.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("courses:cohort_apply", args=[cohort.pk]),
        {
            "position": "Ведущий специалист",
            "organisation_name": "ООП Бердска",
            "motivation": "Хочу",
        },
        follow=True,
    )
    assert "Заявка подана" in response.content.decode()
    again = client.post(
        reverse("courses:cohort_apply", args=[cohort.pk]),
        {"position": "Ведущий специалист", "organisation_name": "ООП Бердска"},
        follow=True,
    )
    assert "уже подана" in again.content.decode()
    enrollment = Enrollment.objects.get(user=outsider, cohort=cohort)

    coordinate = get_as(client, world["people"]["coordinator"], reverse("courses:coordinate"))
    assert "ООП Бердска" in coordinate.content.decode()
    response = client.post(
        reverse("courses:enrollment_decide", args=[enrollment.pk]),
        {"decision": "reject", "reason": ""},
        follow=True,
    )
    assert "Укажите причину отказа" in response.content.decode()
    client.post(reverse("courses:enrollment_decide", args=[enrollment.pk]), {"decision": "approve"})
    enrollment.refresh_from_db()
    assert enrollment.status == "enrolled"


def test_applying_with_empty_fields_keeps_the_text_and_saves_nothing(client, world):
    outsider = world["people"]["outsider"]
    get_as(client, outsider, "/")
    response = client.post(
        reverse("courses:cohort_apply", args=[world["cohort"].pk]),
        {"position": "", "organisation_name": "ООП", "motivation": "Моя мотивация"},
    )
    page = response.content.decode()
    assert "Требуется заполнить это поле." in page
    assert "Моя мотивация" in page
    assert not Enrollment.objects.filter(user=outsider).exists()


def test_trainer_marks_all_present_then_corrects_one(client, world):
    session, enrollment = held(world["session"]), world["enrollment"]
    second = enroll(make_user("second@example.org"), world["cohort"])
    url = reverse("courses:session_attendance", args=[session.pk])
    get_as(client, world["people"]["trainer"], url)
    client.post(url, {"all_present": "1"})
    assert set(Attendance.objects.values_list("status", flat=True)) == {"present"}
    client.post(url, {f"mark-{enrollment.pk}": "excused", f"mark-{second.pk}": "present"})
    assert Attendance.objects.get(enrollment=enrollment).status == "excused"
    change = AttendanceChange.objects.filter(attendance__enrollment=enrollment).last()
    assert (change.old_status, change.new_status, change.changed_by) == (
        "present",
        "excused",
        world["people"]["trainer"],
    )
    # «Не отмечено» is offered on every row and sets a mistaken mark back.
    page = client.get(url).content.decode()
    assert '<option value="">Не отмечено</option>' in page
    client.post(url, {f"mark-{enrollment.pk}": "", f"mark-{second.pk}": "present"})
    assert Attendance.objects.get(enrollment=enrollment).status == ""
    assert Attendance.objects.get(enrollment=second).status == "present"


def test_attendance_of_a_seminar_not_yet_begun_cannot_be_marked(client, world):
    session, enrollment = world["session"], world["enrollment"]
    url = reverse("courses:session_attendance", args=[session.pk])
    page = get_as(client, world["people"]["trainer"], url).content.decode()
    assert "Семинар ещё не начался" in page
    assert f'name="mark-{enrollment.pk}"' not in page
    response = client.post(url, {"all_present": "1"}, follow=True)
    assert "посещаемость отмечается с его начала" in response.content.decode()
    assert not Attendance.objects.exists()


def test_session_times_are_entered_in_the_named_zone_and_stored_in_utc(client, world):
    url = reverse("courses:session_create", args=[world["cohort"].pk])
    get_as(client, world["people"]["trainer"], url)
    response = client.post(
        url,
        {
            "title": "Работа со случаем",
            "date": "2027-02-10",
            "start_time": "10:00",
            "end_time": "16:00",
            "timezone": "Asia/Novosibirsk",
            "format": "in_person",
            "venue": "Новосибирск, Красный проспект, 1",
            "online_url": "",
        },
    )
    assert response.status_code == 302
    session = SeminarSession.objects.get(title="Работа со случаем")
    assert session.starts_at == dt.datetime(2027, 2, 10, 3, 0, tzinfo=dt.UTC)

    bad = client.post(
        url,
        {
            "title": "Ошибка",
            "date": "2027-02-10",
            "start_time": "16:00",
            "end_time": "10:00",
            "timezone": "Asia/Novosibirsk",
            "format": "online",
            "online_url": "",
        },
    )
    page = bad.content.decode()
    assert "заканчиваться позже" in page
    assert "укажите ссылку на встречу" in page
    assert 'value="Ошибка"' in page


def test_a_session_is_shown_in_the_readers_zone_with_the_venue_time(client, world):
    session = world["session"]
    session.starts_at = dt.datetime(2027, 2, 10, 3, 0, tzinfo=dt.UTC)
    session.ends_at = dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC)
    session.timezone = "Asia/Novosibirsk"
    session.save()
    trainer = world["people"]["trainer"]  # Moscow region
    page = get_as(
        client, trainer, reverse("courses:cohort_roster", args=[world["cohort"].pk])
    ).content.decode()
    assert "06:00–12:00 (Europe/Moscow)" in page
    assert "на месте: 10:00 (Asia/Novosibirsk)" in page


def test_attendance_exports_in_csv_and_xlsx(client, world):
    session, enrollment = world["session"], world["enrollment"]
    Attendance.objects.create(session=session, enrollment=enrollment, status="present")
    get_as(client, world["people"]["trainer"], "/")
    response = client.get(reverse("courses:attendance_export", args=[world["cohort"].pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["ФИО", "E-mail", "Организация", "Статус"]
    assert rows[1][0] == "Иванова Мария Петровна"
    assert rows[1][4] == "Присутствовал"
    xlsx = client.get(reverse("courses:attendance_export", args=[world["cohort"].pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.getvalue())).active
    assert sheet.cell(2, 5).value == "Присутствовал"
    assert (
        client.get(
            reverse("courses:attendance_export", args=[world["cohort"].pk, "pdf"])
        ).status_code
        == 404
    )


def test_attendance_exports_write_a_typed_formula_as_text(client, world):
    learner = world["enrollment"].user
    learner.last_name, learner.first_name, learner.middle_name = (
        '=HYPERLINK("http://x/","x")',
        "",
        "",
    )
    learner.save()
    get_as(client, world["people"]["trainer"], "/")
    response = client.get(reverse("courses:attendance_export", args=[world["cohort"].pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "'" + learner.last_name
    xlsx = client.get(reverse("courses:attendance_export", args=[world["cohort"].pk, "xlsx"]))
    cell = load_workbook(io.BytesIO(xlsx.getvalue())).active.cell(2, 1)
    assert (cell.value, cell.data_type) == (learner.last_name, "s")


def test_bulk_import_enrols_invites_new_people_and_reports_each_row(client, world):
    existing = world["people"]["outsider"]
    content = (
        "ФИО;E-mail;Организация;Должность\n"
        "Петров Пётр Петрович;new.person@example.org;ООП Искитима;Специалист\n"
        f"Иванова Мария Петровна;{existing.email};ООП;Специалист\n"
        f"Иванова Мария Петровна;{world['people']['learner'].email};ООП;Специалист\n"
    ).encode()
    url = reverse("courses:cohort_import", args=[world["cohort"].pk])
    form = get_as(client, world["people"]["coordinator"], url).content.decode()
    # The limits are stated before anyone uploads.
    assert "Не больше 500 человек в одном файле размером до 1 МБ" in form
    mail.outbox.clear()
    response = client.post(url, {"file": SimpleUploadedFile("list.csv", content)})
    page = response.content.decode()
    assert "Список загружен: зачислено 2, уже были в потоке 1." in page
    new = User.objects.get(email="new.person@example.org")
    assert new.get_full_name() == "Петров Пётр Петрович"
    assert not new.has_usable_password()
    assert Enrollment.objects.filter(user=new, status="enrolled").exists()
    invitation = next(m for m in mail.outbox if m.to == ["new.person@example.org"])
    assert "/accounts/password/reset/key/" in invitation.body


def test_bulk_import_with_any_bad_row_saves_nothing(client, world):
    content = (
        "ФИО;E-mail;Организация;Должность\n"
        "Петров Пётр Петрович;new.person@example.org;ООП Искитима;Специалист\n"
        "Сидоров;не-почта;ООП;Специалист\n"
    ).encode()
    url = reverse("courses:cohort_import", args=[world["cohort"].pk])
    get_as(client, world["people"]["coordinator"], url)
    page = client.post(url, {"file": SimpleUploadedFile("list.csv", content)}).content.decode()
    assert "Список не загружен" in page
    assert "Строка 3" in page
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_bulk_import_beyond_capacity_saves_nothing(client, world):
    rows = "".join(f"Петров Пётр{n} Петрович;p{n}@example.org;ООП;Специалист\n" for n in range(6))
    content = ("ФИО;E-mail;Организация;Должность\n" + rows).encode("utf-8")
    url = reverse("courses:cohort_import", args=[world["cohort"].pk])
    get_as(client, world["people"]["coordinator"], url)
    page = client.post(url, {"file": SimpleUploadedFile("list.xlsx", content)}).content.decode()
    assert "Мест в потоке" in page and "нет: занято" in page
    assert not User.objects.filter(email__startswith="p0@").exists()


def test_invited_people_accept_consent_at_first_sign_in(client, world):
    from lms.models import ConsentRecord

    invited = User.objects.create_user(
        email="invited@example.org", password="Пароль-2026-x", last_name="Новая", first_name="Анна"
    )
    client.force_login(invited)
    response = client.get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("consent_accept"))
    page = client.post(reverse("consent_accept"), {"version": "1.0", "next": "/dashboard/"})
    assert "Без согласия" in page.content.decode()
    client.post(
        reverse("consent_accept"), {"version": "1.0", "consent": "on", "next": "/dashboard/"}
    )
    assert ConsentRecord.objects.filter(user=invited).exists()
    assert client.get(reverse("dashboard")).status_code == 200


def test_reminders_go_once_the_day_before_in_each_learners_zone(world):
    session = world["session"]
    session.starts_at = timezone.now() + dt.timedelta(hours=20)
    session.ends_at = session.starts_at + dt.timedelta(hours=3)
    session.save()
    withdrawn = enroll(
        make_user("gone@example.org", region_code="02"), world["cohort"], status="withdrawn"
    )
    mail.outbox.clear()
    assert session_reminders_send() == 1
    assert session_reminders_send() == 0
    assert [m.to for m in mail.outbox] == [[world["people"]["learner"].email]]
    local = timezone.localtime(
        session.starts_at, timezone=__import__("zoneinfo").ZoneInfo("Asia/Novosibirsk")
    )
    assert f"{local:%H:%M}" in mail.outbox[0].body
    assert "Asia/Novosibirsk" in mail.outbox[0].body
    assert withdrawn.user.email not in str([m.to for m in mail.outbox])


def test_seminars_are_in_the_learners_and_trainers_calendar_feeds(client, world):
    session = world["session"]
    for who, expected in (("learner", True), ("trainer", True), ("outsider", False)):
        user = world["people"][who]
        feed = client.get(reverse("calendar_feed", args=[CalendarToken.for_user(user).token]))
        uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")]
        assert (f"seminar-{session.pk}@opeka" in uids) is expected


def test_module_pages_are_for_the_course_people_only(client, world):
    from cms.models import HomePage, ModuleIndexPage, SeminarModulePage

    home = HomePage.objects.get()
    index = home.add_child(instance=ModuleIndexPage(title="Модули", slug="modules"))
    page = index.add_child(
        instance=SeminarModulePage(
            title="Работа со случаем",
            slug="case",
            summary="Кратко о модуле",
            body=[("paragraph", "<p>Полный текст модуля</p>")],
        )
    )
    module = world["course"].modules.first()
    module.page = page
    module.save()
    for who, full in (
        ("anon", False),
        ("outsider", False),
        ("other_trainer", False),
        ("learner", True),
        ("trainer", True),
        ("coordinator", True),
        ("admin", True),
    ):
        response = get_as(client, world["people"][who], page.url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Кратко о модуле" in text
        assert ("Полный текст модуля" in text) is full, who


def test_dashboard_shows_progress_next_session_and_modules(client, world):
    learner = world["people"]["learner"]
    page = get_as(client, learner, reverse("dashboard")).content.decode()
    assert "Моё обучение" in page
    assert world["course"].title in page
    assert 'data-testid="next-session"' in page
    assert "Отметить изученным" in page


def test_the_roster_is_paged_by_fifty(client, world):
    from tests.courses.test_query_counts import crowd

    world["cohort"].capacity = 100
    world["cohort"].save()
    crowd(world["cohort"], 59)  # 60 learners with the world's own
    client.force_login(world["people"]["trainer"])
    url = reverse("courses:cohort_roster", args=[world["cohort"].pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "Страница 1 из 2" in first and "Страница 2 из 2" in second
    # 61 rows (60 learners and one pending applicant, who has no progress bar yet)
    assert first.count("<progress") + second.count("<progress") == 60
    assert second.count("<progress") <= 11


@pytest.mark.parametrize("hours", [1, 2, 5, 11, 21, 22, 72, 111])
def test_the_course_page_counts_hours_with_the_certificates_plural_rule(client, world, hours):
    from certificates.pdf import hours_phrase

    course = world["course"]
    course.academic_hours = hours
    course.save()
    page = client.get(reverse("courses:course_detail", args=[course.slug])).content.decode()
    assert f">{hours_phrase(hours)}" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("courses:course_detail", args=[course.slug])).content.decode()
    assert f">{hours} academic hour{'' if hours == 1 else 's'}" in page


def test_region_names_follow_the_readers_language(client, world):
    url = reverse("courses:course_detail", args=[world["course"].slug])
    assert "Новосибирская область" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert "Novosibirsk Oblast" in page and "Новосибирская область" not in page


def test_a_coordinator_refused_by_the_regions_quota_is_told_so(client, world):
    """The cohort has room (1 of 5 seats taken) but region 54's quota of 1 is used: the message
    names the quota and the region, not a cohort without seats."""
    from courses.models import RegionQuota
    from tests.factories import region

    RegionQuota.objects.create(cohort=world["cohort"], region=region("54"), seats=1)
    url = reverse("courses:enrollment_decide", args=[world["application"].pk])
    page = get_as(client, world["people"]["coordinator"], url, "post", {"decision": "approve"})
    page = client.get(page.url).content.decode()
    assert "Квота региона «Новосибирская область»" in page and "занято 1 из 1" in page
    assert "Мест в потоке" not in page
    world["application"].refresh_from_db()
    assert world["application"].status == "pending"
