import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment
from lms.models import CalendarToken
from supervision import services
from supervision.models import Booking, CaseDeletion, CaseSubmission, SupervisionSession
from supervision.services import SupervisionError
from tests.factories import enroll, held, make_cohort, make_session, make_supervision, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world():
    cohort = make_cohort(regions=("54", "55", "02"), capacity=30)
    supervisor = make_user("supervisor@example.org", role="trainer", region_code="50")
    learners = {
        code: make_user(f"learner{code}@example.org", role="specialist", region_code=code)
        for code in ("54", "55", "02")
    }
    for learner in learners.values():
        enroll(learner, cohort)
    session = make_supervision(supervisor, cohort=cohort, capacity=2)
    return {"cohort": cohort, "supervisor": supervisor, "learners": learners, "session": session}


def test_booking_takes_a_seat_once_and_the_full_session_offers_the_waitlist(world):
    a, b, c = world["learners"].values()
    session = world["session"]
    first = services.booking_create(session=session, user=a)
    assert services.booking_create(session=session, user=a) == first
    services.booking_create(session=session, user=b)
    with pytest.raises(SupervisionError, match="лист ожидания"):
        services.booking_create(session=session, user=c)
    waiting = services.waitlist_join(session=session, user=c)
    assert waiting.status == "waitlisted"

    mail.outbox.clear()
    services.booking_cancel(booking=first, by=a)
    waiting.refresh_from_db()
    assert waiting.status == "booked"
    assert [m.to for m in mail.outbox] == [[c.email]]
    assert "Место освободилось" in mail.outbox[0].subject


def test_booking_window_and_eligibility(world):
    learner = world["learners"]["54"]
    later = make_supervision(
        world["supervisor"],
        cohort=world["cohort"],
        starts_at=timezone.now() + dt.timedelta(days=20),
        booking_opens_at=timezone.now() + dt.timedelta(days=5),
    )
    with pytest.raises(SupervisionError, match="Запись откроется"):
        services.booking_create(session=later, user=learner)
    closed = make_supervision(
        world["supervisor"],
        cohort=world["cohort"],
        booking_closes_at=timezone.now() - dt.timedelta(minutes=1),
        booking_opens_at=timezone.now() - dt.timedelta(days=2),
    )
    with pytest.raises(SupervisionError, match="закрыта"):
        services.booking_create(session=closed, user=learner)
    stranger = make_user("stranger@example.org", role="specialist")
    with pytest.raises(SupervisionError, match="другого потока"):
        services.booking_create(session=world["session"], user=stranger)


def test_cancelling_after_the_deadline_keeps_the_booking_for_the_supervisor(world):
    learner = world["learners"]["54"]
    session = world["session"]
    booking = services.booking_create(session=session, user=learner)
    too_late = session.starts_at - dt.timedelta(hours=2)
    with pytest.raises(SupervisionError, match="можно было до"):
        services.booking_cancel(booking=booking, by=learner, at=too_late)
    booking.refresh_from_db()
    assert booking.status == "booked"
    services.attendance_mark(
        session=held(session), marks={booking.pk: "excused"}, by=world["supervisor"]
    )
    booking.refresh_from_db()
    assert booking.status == "excused"


def test_supervisor_clashes_are_refused_with_a_clear_message(world):
    supervisor = world["supervisor"]
    session = world["session"]
    with pytest.raises(SupervisionError, match="В это время у вас уже есть: супервизия"):
        services.session_create(
            supervisor=supervisor,
            title="Вторая",
            cohort=world["cohort"],
            starts_at=session.starts_at + dt.timedelta(minutes=30),
            ends_at=session.ends_at + dt.timedelta(hours=1),
            capacity=3,
            booking_opens_at=timezone.now(),
            booking_closes_at=session.starts_at,
        )
    seminar = make_session(world["cohort"], starts_at=session.starts_at + dt.timedelta(days=7))
    world["cohort"].trainers.add(supervisor)
    with pytest.raises(SupervisionError, match="семинар"):
        services.series_create(
            supervisor=supervisor,
            frequency="weekly",
            count=3,
            title="Серия",
            cohort=world["cohort"],
            starts_at=seminar.starts_at - dt.timedelta(days=7),
            ends_at=seminar.ends_at - dt.timedelta(days=7),
            capacity=3,
            booking_opens_at=timezone.now(),
            booking_closes_at=seminar.starts_at - dt.timedelta(days=7, hours=1),
            online_url="https://meet.example.org/x",
        )
    assert SupervisionSession.objects.count() == 1


def test_a_series_is_created_in_one_step_and_one_occurrence_moves_alone(world):
    supervisor = world["supervisor"]
    start = world["session"].starts_at + dt.timedelta(days=1)
    sessions = services.series_create(
        supervisor=supervisor,
        frequency="fortnightly",
        count=3,
        title="Серия",
        cohort=world["cohort"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=3,
        booking_opens_at=timezone.now(),
        booking_closes_at=start,
        online_url="https://meet.example.org/x",
    )
    assert [s.starts_at - start for s in sessions] == [
        dt.timedelta(0),
        dt.timedelta(weeks=2),
        dt.timedelta(weeks=4),
    ]
    learner = world["learners"]["54"]
    services.booking_create(session=sessions[0], user=learner)
    mail.outbox.clear()
    moved = services.session_move(
        session=sessions[0],
        starts_at=sessions[0].starts_at + dt.timedelta(hours=3),
        ends_at=sessions[0].ends_at + dt.timedelta(hours=3),
        by=supervisor,
    )
    assert moved.sequence == 1
    sessions[1].refresh_from_db()
    sessions[2].refresh_from_db()
    assert sessions[1].sequence == sessions[2].sequence == 0
    assert sessions[1].starts_at - start == dt.timedelta(weeks=2)
    assert [m.to for m in mail.outbox] == [[learner.email]]


def test_learner_clashes_are_flagged_before_booking(client, world):
    learner = world["learners"]["54"]
    session = world["session"]
    make_session(world["cohort"], starts_at=session.starts_at, title="Семинар в то же время")
    client.force_login(learner)
    page = client.get(reverse("supervision:session_detail", args=[session.pk])).content.decode()
    assert "Семинар в то же время" in page
    client.post(reverse("supervision:book", args=[session.pk]))
    assert not Booking.objects.filter(user=learner).exists()
    client.post(reverse("supervision:book", args=[session.pk]), {"confirm_clash": "1"})
    assert Booking.objects.filter(user=learner, status="booked").exists()


TIMES = {"54": "19:00", "55": "18:00", "02": "17:00"}  # a 15:00 Moscow session


def test_one_session_at_each_readers_own_time_on_pages_emails_and_ics(client, world):
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    session = world["session"]
    start = (
        (timezone.now() + dt.timedelta(days=3))
        .astimezone(moscow)
        .replace(hour=15, minute=0, second=0, microsecond=0)
    )
    session.starts_at, session.ends_at = start, start + dt.timedelta(hours=2)
    session.booking_closes_at = start - dt.timedelta(hours=1)
    session.capacity = 3
    session.save()
    supervisor_page = client_page(client, world["supervisor"], session)
    assert "15:00–17:00 (Europe/Moscow)" in supervisor_page
    for code, local in TIMES.items():
        learner = world["learners"][code]
        mail.outbox.clear()
        booking = services.booking_create(session=session, user=learner)
        page = client_page(client, learner, session)
        zone = learner.effective_timezone
        assert f"{local}–" in page and f"({zone})" in page
        assert f"{local}" in mail.outbox[0].body and zone in mail.outbox[0].body
        client.force_login(learner)
        ics = client.get(reverse("supervision:booking_ics", args=[booking.pk])).content
        event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
        assert event["DTSTART"].dt == start
        assert event["UID"] == f"supervision-{session.pk}@opeka"


def client_page(client, user, session):
    client.force_login(user)
    return client.get(reverse("supervision:session_detail", args=[session.pk])).content.decode()


def test_moved_and_cancelled_sessions_update_the_feed_without_duplicates(client, world):
    learner = world["learners"]["54"]
    session = world["session"]
    services.booking_create(session=session, user=learner)
    services.session_move(
        session=session,
        starts_at=session.starts_at + dt.timedelta(hours=1),
        ends_at=session.ends_at + dt.timedelta(hours=1),
        by=world["supervisor"],
    )
    feed_url = reverse("calendar_feed", args=[CalendarToken.for_user(learner).token])
    events = [
        e
        for e in icalendar.Calendar.from_ical(client.get(feed_url).content).walk("VEVENT")
        if str(e["UID"]).startswith("supervision-")
    ]
    assert len(events) == 1 and events[0]["SEQUENCE"] == 1
    services.session_cancel(session=session, by=world["supervisor"])
    events = [
        e
        for e in icalendar.Calendar.from_ical(client.get(feed_url).content).walk("VEVENT")
        if str(e["UID"]).startswith("supervision-")
    ]
    assert len(events) == 1
    assert events[0]["STATUS"] == "CANCELLED" and events[0]["SEQUENCE"] == 2


NEVER_ANONYMOUS = {
    "full name with a date of birth": "Мама, Петрова Анна Сергеевна, 12.03.1985 г.р.",
    "SNILS": "СНИЛС 123-456-789 01",
    "phone": "тел. +7 (913) 123-45-67",
    "e-mail": "почта petrova@mail.ru",
    "passport": "паспорт 45 06 123456",
}


def _case_page(client, world):
    learner = world["learners"]["54"]
    booking = services.booking_create(session=world["session"], user=learner)
    client.force_login(learner)
    return booking, reverse("supervision:case_edit", args=[booking.pk])


@pytest.mark.parametrize("fragment", NEVER_ANONYMOUS.values(), ids=NEVER_ANONYMOUS.keys())
def test_a_case_with_an_identifier_is_refused_even_when_ticked_and_keeps_the_text(
    client, world, fragment
):
    _booking, url = _case_page(client, world)
    text = f"<p>{fragment}. Семья просит помощи.</p>"
    for _attempt in range(2):  # ticked before the first submit, then again after seeing it
        page = client.post(url, {"title": "Случай", "text": text, "anonymised": "on"})
        html = page.content.decode()
        assert "Случай не отправлен" in html
        assert "иначе случай не отправить" in html
        assert "Семья просит помощи" in html  # what was typed stays in the form
        assert not CaseSubmission.objects.exists()


def test_a_text_with_every_kind_of_identifier_ticked_saves_nothing(client, world):
    _booking, url = _case_page(client, world)
    text = "<p>" + "; ".join(NEVER_ANONYMOUS.values()) + "; ул. Ленина, д. 5.</p>"
    page = client.post(url, {"title": "Случай", "text": text, "anonymised": "on"})
    html = page.content.decode()
    for message in ("ФИО", "дату рождения", "СНИЛС", "телефона", "электронной", "паспорт"):
        assert f"Похоже на {message}" in html or message in html
    assert html.count("иначе случай не отправить") == 6  # each identifier, not the address
    assert not CaseSubmission.objects.exists()


def test_the_tick_confirms_only_findings_already_shown(client, world):
    _booking, url = _case_page(client, world)
    text = (
        "<p>Мама (34 года), 12.03.2024 обратилась в ООП, живёт в с. Подгорное.</p>"
        "<script>alert(1)</script><p onclick='x()'>Вопрос</p>"
    )
    page = client.post(url, {"title": "Случай", "text": text, "anonymised": "on"})
    html = page.content.decode()
    assert "которых вы ещё не видели" in html
    assert "Похоже на точную дату" in html and "Похоже на адрес" in html
    assert not CaseSubmission.objects.exists()
    shown = page.context["findings_shown"]

    # The text changed after it was checked: what is new has not been shown yet.
    changed = text.replace("(34 года)", "Анна Сергеевна")
    form = {"title": "Случай", "text": changed, "anonymised": "on", "findings_shown": shown}
    assert "которых вы ещё не видели" in client.post(url, form).content.decode()
    assert not CaseSubmission.objects.exists()

    form = {"title": "Случай", "text": text, "anonymised": "on", "findings_shown": shown}
    assert client.post(url, form).status_code == 302
    case = CaseSubmission.objects.get()
    assert "<script" not in case.text and "onclick" not in case.text
    assert "Вопрос" in case.text


def test_an_unticked_case_shows_findings_and_saves_nothing(client, world):
    _booking, url = _case_page(client, world)
    page = client.post(url, {"title": "Случай", "text": "<p>Иванов И. И. пришёл</p>"})
    html = page.content.decode()
    assert "Похоже на фамилию с инициалами" in html
    assert "подтвердите, что случай обезличен" in html
    assert "Иванов И. И. пришёл" in html
    assert not CaseSubmission.objects.exists()


def test_the_service_runs_the_check_whoever_calls_it(world):
    from supervision.anonymity import review

    booking = services.booking_create(session=world["session"], user=world["learners"]["54"])
    for fragment in NEVER_ANONYMOUS.values():
        with pytest.raises(SupervisionError, match="Случай не отправлен"):
            services.case_submit(booking=booking, title="Случай", text=fragment, confirmed=True)
    soft = "<p>Семья живёт в с. Подгорное.</p>"
    with pytest.raises(SupervisionError, match="ещё не видели"):
        services.case_submit(booking=booking, title="Случай", text=soft, confirmed=True)
    with pytest.raises(SupervisionError, match="Подтвердите"):
        services.case_submit(booking=booking, title="Случай", text="<p>Текст</p>", confirmed=False)
    assert not CaseSubmission.objects.exists()
    shown = review(title="Случай", text=soft, confirmed=True, shown="").fingerprint
    services.case_submit(booking=booking, title="Случай", text=soft, confirmed=True, shown=shown)
    assert CaseSubmission.objects.get().text == soft


def test_case_files_are_checked_by_content_and_served_only_to_the_right_people(client, world):
    learner, other, third = world["learners"].values()
    session = world["session"]
    session.capacity = 3
    session.save()
    booking = services.booking_create(session=session, user=learner)
    services.booking_create(session=session, user=other)
    client.force_login(learner)
    url = reverse("supervision:case_edit", args=[booking.pk])
    fake = SimpleUploadedFile("case.pdf", b"<html><script>x</script></html>")
    page = client.post(
        url, {"title": "Случай", "text": "<p>Текст</p>", "anonymised": "on", "files": [fake]}
    ).content.decode()
    assert "Проверяется содержимое файла" in page
    client.post(
        url,
        {
            "title": "Случай",
            "text": "<p>Текст</p>",
            "anonymised": "on",
            "files": [SimpleUploadedFile("план.pdf", PDF)],
        },
    )
    case = CaseSubmission.objects.get()
    attachment = case.attachments.get()
    with pytest.raises(NotImplementedError):
        attachment.file.url  # private storage has no URL  # noqa: B018

    editor = make_user("editor@example.org", role="editor", totp=True)
    coordinator = make_user("coord@example.org", role="coordinator", region_code="54", totp=True)
    admin = make_user("admin@example.org", role="admin", totp=True)
    for user, allowed in (
        (learner, True),
        (world["supervisor"], True),
        (other, True),
        (third, False),
        (editor, False),
        (coordinator, False),
        (admin, False),
    ):
        client.force_login(user)
        case_page = client.get(reverse("supervision:case_detail", args=[case.pk]))
        download = client.get(reverse("supervision:attachment_download", args=[attachment.pk]))
        assert case_page.status_code == (200 if allowed else 404), user.email
        assert download.status_code == (200 if allowed else 404), user.email
        if allowed:
            assert download["Content-Disposition"].startswith("attachment")
            assert download["X-Content-Type-Options"] == "nosniff"
            assert b"".join(download.streaming_content) == PDF


def test_in_an_individual_session_nobody_else_sees_the_case(client, world):
    learner = world["learners"]["54"]
    individual = make_supervision(
        world["supervisor"],
        cohort=world["cohort"],
        kind="individual",
        capacity=1,
        starts_at=timezone.now() + dt.timedelta(days=5),
    )
    booking = services.booking_create(session=individual, user=learner)
    case = services.case_submit(
        booking=booking, title="Личный", text="<p>Текст</p>", confirmed=True
    )
    client.force_login(world["learners"]["55"])
    assert client.get(reverse("supervision:case_detail", args=[case.pk])).status_code == 404


def test_attendance_counts_towards_completion_and_notes_reach_the_right_people(client, world):
    learner, other, _third = world["learners"].values()
    session = world["session"]
    booking = services.booking_create(session=session, user=learner)
    services.booking_create(session=session, user=other)
    course = world["cohort"].course
    course.completion_supervisions = 1
    course.save()
    with pytest.raises(SupervisionError, match="ещё не началась"):
        services.attendance_mark(
            session=session, marks={booking.pk: "attended"}, by=world["supervisor"]
        )
    supervisor_page = client_page(client, world["supervisor"], session)
    assert "Посещаемость отмечается с начала супервизии." in supervisor_page
    assert f'name="mark-{booking.pk}"' not in supervisor_page
    services.attendance_mark(
        session=held(session), marks={booking.pk: "attended"}, by=world["supervisor"]
    )
    enrollment = Enrollment.objects.get(user=learner, cohort=world["cohort"])
    assert enrollment.supervisions_attended == 1
    # A mistaken mark is set back to «не отмечено», and stops counting.
    client.force_login(world["supervisor"])
    response = client.post(
        reverse("supervision:attendance", args=[session.pk]),
        {f"mark-{booking.pk}": "booked"},
        follow=True,
    )
    assert "Отметки сохранены, изменений: 1." in response.content.decode()
    booking.refresh_from_db()
    enrollment.refresh_from_db()
    assert booking.status == "booked" and enrollment.supervisions_attended == 0
    services.attendance_mark(
        session=session, marks={booking.pk: "attended"}, by=world["supervisor"]
    )

    services.note_save(
        session=session,
        shared="Домашнее задание: генограмма семьи.",
        confidential="Обратить внимание на выгорание участника.",
        by=world["supervisor"],
    )
    learner_page = client_page(client, learner, session)
    assert "генограмма" in learner_page and "выгорание" not in learner_page
    assert "выгорание" in client_page(client, world["supervisor"], session)
    outsider = make_user("out@example.org", role="specialist")
    client.force_login(outsider)
    assert client.get(reverse("supervision:session_detail", args=[session.pk])).status_code == 404


def test_reminders_go_once_24_and_1_hour_before_and_never_for_cancelled_bookings(world):
    a, b, _c = world["learners"].values()
    session = world["session"]
    booking = services.booking_create(session=session, user=a)
    cancelled = services.booking_create(session=session, user=b)
    services.booking_cancel(booking=cancelled, by=b)
    mail.outbox.clear()
    day_before = session.starts_at - dt.timedelta(hours=23)
    assert services.booking_reminders_send(at=day_before) == 1
    assert services.booking_reminders_send(at=day_before) == 0
    hour_before = session.starts_at - dt.timedelta(minutes=50)
    assert services.booking_reminders_send(at=hour_before) == 1
    assert services.booking_reminders_send(at=hour_before) == 0
    assert [m.to for m in mail.outbox] == [[a.email], [a.email]]
    assert booking.reminders.count() == 2


def test_case_texts_and_files_are_deleted_on_schedule_with_a_record(world, settings):
    settings.LMS_CASE_RETENTION_DAYS = 10
    learner = world["learners"]["54"]
    booking = services.booking_create(session=world["session"], user=learner)
    upload = SimpleUploadedFile("план.pdf", PDF)
    upload.detected_kind = "pdf"
    case = services.case_submit(
        booking=booking, title="Случай", text="<p>Текст</p>", files=[upload], confirmed=True
    )
    stored = case.attachments.get().file.name
    storage = case.attachments.get().file.storage
    assert services.cases_delete_expired(at=world["session"].ends_at + dt.timedelta(days=9)) == 0
    assert services.cases_delete_expired(at=world["session"].ends_at + dt.timedelta(days=11)) == 1
    assert not CaseSubmission.objects.exists()
    assert not storage.exists(stored)
    record = CaseDeletion.objects.get()
    assert (record.title, record.attachments, record.author) == ("Случай", 1, learner)


SUPERVISION_PAGES = {
    # every signed-in person sees the list of what they may book (often nothing)
    "list": (
        lambda w: reverse("supervision:session_list"),
        {"learner", "supervisor", "admin", "outsider", "other_supervisor", "coordinator", "editor"},
    ),
    "detail": (
        lambda w: reverse("supervision:session_detail", args=[w["session"].pk]),
        {"learner", "supervisor", "admin"},
    ),
    "calendar": (lambda w: reverse("supervision:calendar"), {"supervisor", "admin"}),
    "create": (lambda w: reverse("supervision:session_create"), {"supervisor", "admin"}),
    "move": (
        lambda w: reverse("supervision:session_move", args=[w["session"].pk]),
        {"supervisor", "admin"},
    ),
}


@pytest.mark.parametrize("page", SUPERVISION_PAGES)
@pytest.mark.parametrize(
    "who",
    [
        "anon",
        "outsider",
        "learner",
        "supervisor",
        "other_supervisor",
        "coordinator",
        "editor",
        "admin",
    ],
)
def test_every_supervision_page_for_every_role(client, world, page, who):
    people = {
        "anon": None,
        "outsider": make_user("outsider@example.org", role="specialist"),
        "learner": world["learners"]["54"],
        "supervisor": world["supervisor"],
        "other_supervisor": make_user("s2@example.org", role="trainer"),
        "coordinator": make_user("c@example.org", role="coordinator", region_code="54", totp=True),
        "editor": make_user("e@example.org", role="editor", totp=True),
        "admin": make_user("a@example.org", role="admin", totp=True),
    }
    url_of, allowed = SUPERVISION_PAGES[page]
    user = people[who]
    if user is not None:
        client.force_login(user)
    response = client.get(url_of(world))
    if who == "anon":
        assert response.status_code == 302
    elif who in allowed or (page in ("calendar", "create") and who == "other_supervisor"):
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_create_page_makes_a_weekly_series_in_the_supervisors_zone(client, world):
    client.force_login(world["supervisor"])
    response = client.post(
        reverse("supervision:session_create"),
        {
            "title": "Серия супервизий",
            "kind": "group",
            "cohort": world["cohort"].pk,
            "date": "2027-03-03",
            "start_time": "15:00",
            "end_time": "17:00",
            "timezone": "Europe/Moscow",
            "format": "online",
            "online_url": "https://meet.example.org/q",
            "capacity": 6,
            "booking_opens_days": 14,
            "booking_closes_hours": 12,
            "cancellation_hours": 24,
            "repeat": "weekly",
            "occurrences": 4,
        },
    )
    assert response.status_code == 302
    created = SupervisionSession.objects.filter(title="Серия супервизий").order_by("starts_at")
    assert created.count() == 4
    assert created[0].starts_at == dt.datetime(2027, 3, 3, 12, 0, tzinfo=dt.UTC)
    bad = client.post(
        reverse("supervision:session_create"),
        {
            "title": "",
            "kind": "group",
            "date": "2027-03-03",
            "start_time": "17:00",
            "end_time": "15:00",
            "timezone": "Europe/Moscow",
            "format": "online",
            "capacity": 6,
            "booking_opens_days": 14,
            "booking_closes_hours": 12,
            "cancellation_hours": 24,
        },
    ).content.decode()
    assert "Выберите поток или курс" in bad
    assert "заканчиваться позже" in bad
    assert "укажите ссылку на встречу" in bad


def _bulk_bookings(session, n):
    from lms.models import Region, User

    region = Region.objects.get(code="54")
    start = session.bookings.count()
    users = User.objects.bulk_create(
        User(
            email=f"b{session.pk}-{i}@example.org",
            last_name="Участник",
            first_name=str(i),
            region=region,
        )
        for i in range(start, start + n)
    )
    Booking.objects.bulk_create(Booking(session=session, user=u, status="booked") for u in users)


@pytest.mark.parametrize("who", ["learner", "supervisor"])
def test_booking_page_and_calendar_keep_their_query_count(client, world, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = world["session"]
    session.capacity = 2000
    session.save()
    user = world["learners"]["54"] if who == "learner" else world["supervisor"]
    client.force_login(user)
    url = (
        reverse("supervision:session_detail", args=[session.pk])
        if who == "learner"
        else reverse("supervision:calendar") + f"?start={timezone.localdate(session.starts_at)}"
    )

    def count():
        """Queries of the page built from the database, then with its kept calendar."""
        from django.core.cache import cache

        client.get(url)
        cache.clear()
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    _bulk_bookings(session, 10)
    small = count()
    _bulk_bookings(session, 990)
    assert count() == small


@pytest.mark.parametrize(
    ("query", "heading"),
    [
        ("?view=month&start=2026-12-01", "1 декабря 2026 — 31 декабря 2026"),  # a Tuesday
        ("?view=month&start=2027-01-01", "1 января 2027 — 31 января 2027"),
        ("?view=week&start=2026-12-03", "30 ноября 2026 — 6 декабря 2026"),
        ("?view=week&start=не-дата", None),
    ],
)
def test_the_calendar_shows_the_asked_week_or_month(client, world, query, heading):
    client.force_login(world["supervisor"])
    response = client.get(reverse("supervision:calendar") + query)
    assert response.status_code == 200
    if heading:
        assert heading in response.content.decode()


def test_the_month_is_a_table_of_weeks_from_monday_in_the_readers_zone(client, world):
    from bs4 import BeautifulSoup

    # 30 November 22:30 UTC is already 1 December (a Tuesday) in the supervisor's Moscow.
    make_supervision(
        world["supervisor"],
        cohort=world["cohort"],
        title="Супервизия первого декабря",
        starts_at=dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC),
        booking_opens_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    client.force_login(world["supervisor"])
    page = client.get(reverse("supervision:calendar") + "?view=month&start=2026-12-15")
    table = BeautifulSoup(page.content, "html.parser").find("table", class_="calendar-month")
    headers = [th.get_text(strip=True) for th in table.select("thead th[scope=col]")]
    assert headers == ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
    weeks = [row.find_all("td") for row in table.select("tbody tr")]
    assert all(len(week) == 7 for week in weeks)
    assert [td.get("data-date") for td in weeks[0][:3]] == [None, "2026-12-01", "2026-12-02"]
    assert "Супервизия первого декабря" in weeks[0][1].get_text()
    assert weeks[-1][3].get("data-date") == "2026-12-31"  # a Thursday
    assert weeks[-1][4].get("data-date") is None


def test_the_kept_calendar_follows_bookings_moves_and_seminars(client, world):
    session = world["session"]
    url = reverse("supervision:calendar") + f"?start={timezone.localdate(session.starts_at)}"
    client.force_login(world["supervisor"])
    assert "0/2 мест" in client.get(url).content.decode()
    services.booking_create(session=session, user=world["learners"]["54"])
    assert "1/2 мест" in client.get(url).content.decode()
    session.title = "Супервизия: случай замещающей семьи"
    session.save()
    assert "случай замещающей семьи" in client.get(url).content.decode()
    world["cohort"].trainers.add(world["supervisor"])
    make_session(world["cohort"], title="Семинар о кровной семье", starts_at=session.starts_at)
    assert "Семинар о кровной семье" in client.get(url).content.decode()
