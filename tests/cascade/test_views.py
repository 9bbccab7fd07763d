"""The cascade's pages for every role: who sees what (404 where existence would leak), a team
lead's report through to the coordinator's acceptance, and fixed query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cascade import services
from cascade.models import Event, Participation, Person, Team
from tests.cascade.conftest import PNG, past_event
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_lead_reports_an_event_and_the_coordinators_acceptance_grows_the_reach(
    client_as, people, django_capture_on_commit_callbacks
):
    lead, coordinator = people["lead"], people["coordinator"]
    client = client_as(lead)
    response = client.post(
        f"/cascade/teams/{people['team'].pk}/events/new/",
        {
            "title": "Раннее выявление неблагополучия",
            "modules": [people["modules"][0].pk],
            "format": "in_person",
            "start_date": "2026-11-20",
            "start_time": "10:00",
            "end_date": "2026-11-20",
            "end_time": "14:00",
            "municipality": "г. Череповец",
            "venue": "ЦСОН",
            "expected_participants": "15",
            "hours": "4",
            "trainers": [lead.pk],
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302
    # Entered in the region's zone (Vologda: Moscow time, UTC+3).
    assert event.starts_at == dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)

    bad = SimpleUploadedFile("list.csv", "ФИО;Организация;Должность\nБелова Нина;;\n".encode())
    page = client.post(f"/cascade/events/{event.pk}/participants/", {"file": bad})
    assert "Список не сохранён" in page.content.decode()
    assert not Participation.objects.exists()
    good = SimpleUploadedFile(
        "list.csv",
        "ФИО;Организация;Должность\nБелова Нина Олеговна;ЦСОН;специалист\n"
        "Орлова Вера;Отдел опеки;специалист\n".encode(),
    )
    client.post(f"/cascade/events/{event.pk}/participants/", {"file": good})
    assert event.participations.count() == 2
    disguised = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 a program, not a photo")
    page = client.post(
        f"/cascade/events/{event.pk}/report/", {"outcome": "Итоги", "files": [disguised]}
    ).content.decode()
    assert "не похож на PDF, DOCX или изображение" in page
    event.refresh_from_db()
    assert event.status == Event.Status.PLANNED and not event.files.exists()
    photo = SimpleUploadedFile("photo.png", PNG)
    client.post(
        f"/cascade/events/{event.pk}/report/",
        {"outcome": "Разобрали три случая.", "files": [photo]},
    )
    event.refresh_from_db()
    assert event.status == Event.Status.REPORTED
    stored = event.files.get()
    download = client_as(coordinator).get(f"/cascade/files/{stored.pk}/")
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        client_as(people["other_coordinator"]).get(f"/cascade/files/{stored.pk}/").status_code
        == 404
    )
    client = client_as(lead)

    region_page = client_as(coordinator).get("/cascade/regions/35/").content.decode()
    assert "Отчётов на проверке: 1" in region_page
    assert "Обучено всего: 1." in region_page  # the lead, a graduate
    # The waves are refreshed by the Celery task queued when the acceptance commits.
    with django_capture_on_commit_callbacks(execute=True):
        client_as(coordinator).post(f"/cascade/events/{event.pk}/review/", {"decision": "accept"})
    event.refresh_from_db()
    assert event.status == Event.Status.ACCEPTED
    region_page = client_as(coordinator).get("/cascade/regions/35/").content.decode()
    assert "Обучено всего: 3." in region_page and "волна 2: 2" in region_page
    export = client_as(coordinator).get("/cascade/regions/35/reach.csv").getvalue().decode()
    assert "Вологодская область;Белова Нина Олеговна;ЦСОН;специалист;2;1" in export
    programme = client_as(people["admin"]).get("/cascade/").content.decode()
    assert "Всего обучено в каскаде и программой: 3." in programme
    assert "волна 2: 2" in programme and 'class="cascade-flow"' in programme
    export = client_as(people["admin"]).get("/cascade/reach.csv").getvalue().decode()
    assert "Вологодская область;Белова Нина Олеговна;ЦСОН;специалист;2;1" in export


def test_a_registered_participant_joins_by_code(client_as, people):
    event = past_event(people)
    client = client_as(people["stranger"])
    page = client.post("/cascade/join/", {"code": "WRONG123"}).content.decode()
    assert "Мероприятия с таким кодом нет" in page
    response = client.post("/cascade/join/", {"code": event.invite_code.lower()})
    assert response.status_code == 302
    person = Person.objects.get(user=people["stranger"])
    assert event.participations.get(person=person).source == "account"


def test_who_sees_what(client_as, people):
    event = past_event(people)
    team = people["team"]
    urls = [
        "/cascade/regions/35/",
        "/cascade/regions/35/reach.xlsx",
        f"/cascade/teams/{team.pk}/",
        f"/cascade/events/{event.pk}/",
        f"/cascade/teams/{team.pk}/events/new/",
    ]
    for url in urls:
        assert Client().get(url).status_code == 302  # sign in first
        assert client_as(people["coordinator"]).get(url).status_code == 200, url
        assert client_as(people["admin"]).get(url).status_code == 200, url
        assert client_as(people["other_coordinator"]).get(url).status_code == 404, url
        assert client_as(people["stranger"]).get(url).status_code == 404, url
    for url in urls[2:]:
        assert client_as(people["lead"]).get(url).status_code == 200, url
    assert client_as(people["lead"]).get("/cascade/regions/35/").status_code == 404
    assert client_as(people["stranger"]).get("/cascade/teams/new/").status_code == 404
    # The programme's table: every region for the admin, a coordinator's own, nobody else's.
    assert client_as(people["stranger"]).get("/cascade/reach.csv").status_code == 404
    assert client_as(people["lead"]).get("/cascade/reach.xlsx").status_code == 404
    other = client_as(people["other_coordinator"]).get("/cascade/reach.csv").getvalue().decode()
    assert "Вологодская область" not in other
    mine = client_as(people["coordinator"]).get("/cascade/reach.csv").getvalue().decode()
    assert "Вологодская область;Лидия" in mine.replace(people["lead"].last_name + " ", "")
    # Another region's coordinator cannot review, even by posting directly.
    services.participants_upload(
        event=event,
        uploaded=SimpleUploadedFile("l.csv", "ФИО;Организация;Должность\nА Б;В;Г\n".encode()),
        by=people["lead"],
    )
    services.event_report(event=event, by=people["lead"], outcome="Итоги")
    client_as(people["other_coordinator"]).post(
        f"/cascade/events/{event.pk}/review/", {"decision": "accept"}
    )
    event.refresh_from_db()
    assert event.status == Event.Status.REPORTED


def test_the_region_page_costs_the_same_queries_for_10_and_1000_events(client_as, people):
    def add_events(n):
        team = people["team"]
        start = timezone.now() - dt.timedelta(days=30)
        Event.objects.bulk_create(
            Event(
                team=team,
                title=f"Мероприятие {i}",
                format="online",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                municipality="г. Вологда",
                expected_participants=10,
                hours=2,
                status="accepted",
                invite_code=f"C{Event.objects.count() + i:07d}",
            )
            for i in range(n)
        )

    client = client_as(people["coordinator"])

    def queries():
        client.get("/cascade/regions/35/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cascade/regions/35/").status_code == 200
        return len(captured.captured_queries)

    add_events(10)
    few = queries()
    add_events(990)
    assert Team.objects.get().events.count() == 1000
    assert queries() == few
    page = client.get("/cascade/regions/35/").content.decode()
    assert "участников: 1 · принятых мероприятий: 1000" in page


def event_form(event, **changes):
    from cascade.forms import EventForm

    initial = EventForm.initial_for(event)
    initial["start_time"] = initial["start_time"].strftime("%H:%M")
    initial["end_time"] = initial["end_time"].strftime("%H:%M")
    return {
        key: str(v) if hasattr(v, "isoformat") else v for key, v in {**initial, **changes}.items()
    }


def test_the_team_corrects_a_planned_event_until_it_reports(client_as, people):
    event = past_event(people)
    client = client_as(people["lead"])
    page = client.get(f"/cascade/events/{event.pk}/edit/").content.decode()
    assert 'value="Семинар для коллег"' in page
    day = {"start_date": "2026-03-02", "start_time": "09:30", "end_date": "2026-03-02"}
    response = client.post(
        f"/cascade/events/{event.pk}/edit/", event_form(event, **day, end_time="09:00")
    )
    assert "заканчиваться позже" in response.content.decode()
    event.refresh_from_db()
    assert event.hours == 3
    changes = {"end_time": "13:30", "hours": "5", "title": "Семинар для коллег Череповца"}
    response = client.post(f"/cascade/events/{event.pk}/edit/", event_form(event, **day, **changes))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Семинар для коллег Череповца" and event.hours == 5
    # Entered in Vologda's time (UTC+3).
    assert event.starts_at == dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)
    assert client_as(people["stranger"]).get(f"/cascade/events/{event.pk}/edit/").status_code == 404

    services.participants_upload(
        event=event,
        uploaded=SimpleUploadedFile(
            "l.csv", "ФИО;Организация;Должность\nБелова Нина;ЦСОН;п\n".encode()
        ),
        by=people["lead"],
    )
    services.event_report(event=event, by=people["lead"], outcome="Итоги")
    assert client.get(f"/cascade/events/{event.pk}/edit/").status_code == 404
    with pytest.raises(services.CascadeError, match="менять нельзя"):
        services.event_update(
            event=event,
            by=people["lead"],
            trainers=[people["lead"]],
            modules=[],
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            hours=1,
        )


def test_the_coordinator_hands_the_lead_to_another_member_and_closes_the_team(client_as, people):
    team, lead = people["team"], people["lead"]
    second = make_user("second@example.org", role="specialist", region_code="35")
    services.member_add(team=team, user=second, reason="Психолог центра", by=people["coordinator"])
    assert client_as(lead).get(f"/cascade/teams/{team.pk}/edit/").status_code == 404
    client = client_as(people["coordinator"])
    form = {"name": team.name, "status": "active", "modules": [people["modules"][0].pk]}
    page = client.post(
        f"/cascade/teams/{team.pk}/edit/", {**form, "lead": people["stranger"].pk}
    ).content.decode()
    assert "Выберите корректный вариант" in page  # not in the team
    response = client.post(
        f"/cascade/teams/{team.pk}/edit/", {**form, "lead": second.pk, "status": "closed"}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.lead, team.status) == (second, Team.Status.CLOSED)
    assert list(team.modules.all()) == people["modules"][:1]
    # The former lead may now leave; the history keeps both.
    services.member_leave(membership=team.memberships.get(user=lead), by=lead)
    assert team.memberships.count() == 2


def test_the_coordinator_is_told_of_a_report_and_the_team_of_the_decision(client_as, people):
    from django.core import mail

    event = past_event(people)
    services.participants_upload(
        event=event,
        uploaded=SimpleUploadedFile("l.csv", "ФИО;Организация;Должность\nА Б;В;Г\n".encode()),
        by=people["lead"],
    )
    mail.outbox.clear()
    services.event_report(event=event, by=people["lead"], outcome="Итоги")
    (sent,) = mail.outbox
    assert sent.to == [people["coordinator"].email]  # not the other region's coordinator
    assert "«Семинар для коллег» ждёт проверки" in sent.subject
    assert f"/cascade/events/{event.pk}/" in sent.body and "участников 1" in sent.body

    mail.outbox.clear()
    client_as(people["coordinator"]).post(
        f"/cascade/events/{event.pk}/review/",
        {"decision": "return", "comment": "Приложите фотографии."},
    )
    (returned,) = mail.outbox
    assert returned.to == [people["lead"].email]
    assert "возвращён на доработку" in returned.subject
    assert "Приложите фотографии." in returned.body

    services.event_report(event=event, by=people["lead"], outcome="Итоги с фото")
    mail.outbox.clear()
    client_as(people["coordinator"]).post(
        f"/cascade/events/{event.pk}/review/", {"decision": "accept"}
    )
    assert [m.to for m in mail.outbox] == [[people["lead"].email]]
    assert "принят" in mail.outbox[0].subject
