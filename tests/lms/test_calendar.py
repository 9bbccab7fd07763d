"""The personal calendar feed: apps plug events in, people subscribe with a secret URL."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from lms import calendar
from lms.calendar import CalendarEvent
from lms.models import CalendarToken, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOVOSIBIRSK = zoneinfo.ZoneInfo("Asia/Novosibirsk")
SEMINAR_START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=NOVOSIBIRSK)  # 03:00 UTC
SEMINAR_START_UTC = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def registry():
    """Only the providers this test registers; the registry is put back afterwards."""
    saved = list(calendar._providers)
    calendar._providers.clear()
    yield calendar.register_provider
    calendar._providers[:] = saved


@pytest.fixture
def seminars(registry):
    """A provider with two events per person, one cancelled; records whom it was asked about."""
    asked = []

    def provider(user):
        asked.append(user)
        return [
            CalendarEvent(
                uid=f"supervision-{user.pk}@opeka",
                start=SEMINAR_START + dt.timedelta(days=7),
                end=SEMINAR_START + dt.timedelta(days=7, hours=1),
                summary="Супервизия",
                cancelled=True,
                sequence=1,
            ),
            CalendarEvent(
                uid=f"seminar-{user.pk}@opeka",
                start=SEMINAR_START,
                end=SEMINAR_START + dt.timedelta(hours=2),
                summary=f"Семинар «Жизнеустройство детей» для {user.last_name}",
                description="Модуль 1.\nВторая строка",
                location="Новосибирск, ул. Ленина, 1",
                url="/courses/seminars/42/",
                sequence=3,
                last_modified=dt.datetime(2026, 2, 20, 12, 0, tzinfo=dt.UTC),
            ),
        ]

    registry(provider)
    return asked


def feed_url(user) -> str:
    return reverse("calendar_feed", args=[CalendarToken.for_user(user).token])


def parse(response) -> tuple[icalendar.Calendar, dict[str, icalendar.Event]]:
    cal = icalendar.Calendar.from_ical(response.content)
    return cal, {str(event["uid"]): event for event in cal.walk("VEVENT")}


def test_the_feed_carries_every_providers_events_in_utc(client, seminars):
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    response = client.get(feed_url(user))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="opeka.ics"'
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"private", "max-age=300"}

    cal, events = parse(response)
    assert str(cal["prodid"]) == "-//Обучение ООП//RU"
    assert str(cal["version"]) == "2.0"
    assert str(cal["calscale"]) == "GREGORIAN"
    assert str(cal["method"]) == "PUBLISH"
    assert str(cal["x-wr-calname"]) == "Обучение ООП — Иванова Мария Петровна"
    assert str(cal["x-wr-timezone"]) == "Asia/Novosibirsk"

    seminar = events[f"seminar-{user.pk}@opeka"]
    supervision = events[f"supervision-{user.pk}@opeka"]
    assert set(events) == {f"seminar-{user.pk}@opeka", f"supervision-{user.pk}@opeka"}
    # sorted by start
    assert [str(e["uid"]) for e in cal.walk("VEVENT")][0] == f"seminar-{user.pk}@opeka"

    start = seminar.decoded("dtstart")
    assert start == SEMINAR_START_UTC
    assert start.utcoffset() == dt.timedelta(0)
    assert b"DTSTART:20260302T030000Z" in response.content
    assert seminar.decoded("dtend") == SEMINAR_START_UTC + dt.timedelta(hours=2)
    assert seminar.decoded("dtstamp").utcoffset() == dt.timedelta(0)
    assert str(seminar["summary"]) == "Семинар «Жизнеустройство детей» для Иванова"
    assert str(seminar["description"]) == "Модуль 1.\nВторая строка"
    assert str(seminar["location"]) == "Новосибирск, ул. Ленина, 1"
    assert str(seminar["url"]) == "http://testserver/courses/seminars/42/"
    assert int(seminar["sequence"]) == 3
    assert str(seminar["status"]) == "CONFIRMED"
    assert seminar.decoded("last-modified") == dt.datetime(2026, 2, 20, 12, 0, tzinfo=dt.UTC)

    assert str(supervision["status"]) == "CANCELLED"
    assert int(supervision["sequence"]) == 1
    assert "last-modified" not in supervision


def test_a_single_event_download_has_the_same_header(seminars):
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    event = calendar.events_for(user)[0]
    cal = icalendar.Calendar.from_ical(calendar.render_single_event_ics(user, event))
    assert str(cal["prodid"]) == "-//Обучение ООП//RU"
    assert [str(e["uid"]) for e in cal.walk("VEVENT")] == [event.uid]


def test_an_unknown_token_is_not_found(client, seminars):
    make_user("reader@example.org", role=Role.SPECIALIST)
    assert client.get(reverse("calendar_feed", args=["no-such-token"])).status_code == 404
    assert seminars == []


def test_an_inactive_persons_feed_is_not_found(client, seminars):
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    url = feed_url(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404
    assert seminars == []


def test_each_token_gives_its_own_persons_events(client, seminars):
    reader = make_user("reader@example.org", role=Role.SPECIALIST)
    other = make_user("other@example.org", role=Role.SPECIALIST, last_name="Петров")

    _cal, events = parse(client.get(feed_url(other)))

    assert seminars == [other]
    assert set(events) == {f"seminar-{other.pk}@opeka", f"supervision-{other.pk}@opeka"}
    assert all(str(reader.pk) not in uid for uid in events)


def test_reset_replaces_the_url_and_the_old_one_stops_working(client, client_as, seminars):
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    old_url = feed_url(user)
    assert client.get(old_url).status_code == 200

    response = client_as(user).post(reverse("calendar_reset"), follow=True)

    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert "Ссылка на календарь обновлена: старая больше не работает." in response.content.decode()
    new_url = feed_url(user)
    assert new_url != old_url
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_reset_needs_a_signed_in_person_and_a_post(client, client_as):
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    token = CalendarToken.for_user(user).token

    response = client.post(reverse("calendar_reset"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    assert client_as(user).get(reverse("calendar_reset")).status_code == 405
    assert CalendarToken.for_user(user).token == token


def test_the_profile_shows_the_personal_feed_url(client_as):
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    page = client_as(user).get(reverse("profile")).content.decode()
    token = CalendarToken.objects.get(user=user).token
    assert f'value="http://testserver/calendar/{token}.ics"' in page
    assert f'href="webcal://testserver/calendar/{token}.ics"' in page
    assert 'for="calendar-feed-url"' in page
    assert f'action="{reverse("calendar_reset")}"' in page


def test_the_feed_costs_the_same_queries_whatever_the_data(
    client, registry, django_assert_max_num_queries
):
    registry(
        lambda user: [
            CalendarEvent(
                uid=f"deadline-{n}@opeka",
                start=SEMINAR_START + dt.timedelta(days=n),
                end=SEMINAR_START + dt.timedelta(days=n),
                summary="Срок",
            )
            for n in range(20)
        ]
    )
    user = make_user("reader@example.org", role=Role.SPECIALIST)
    for n in range(10):
        make_user(f"other{n}@example.org", role=Role.SPECIALIST)
    url = feed_url(user)
    with django_assert_max_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 20


def test_events_must_have_aware_times():
    with pytest.raises(ValueError, match="aware"):
        CalendarEvent(
            uid="x@opeka",
            start=dt.datetime(2026, 3, 2, 10, 0),  # naive on purpose
            end=SEMINAR_START,
            summary="x",
        )


def test_the_feed_speaks_the_persons_language_whoever_fetches_it(client):
    from tests.factories import make_course, make_supervision

    supervisor = make_user("sup@example.org", role=Role.TRAINER, language="en")
    make_supervision(supervisor, course=make_course(), title="Случай семьи")
    response = client.get(feed_url(supervisor))  # no cookie: the request itself is Russian
    cal, events = parse(response)
    assert str(cal["x-wr-calname"]).startswith("Guardianship training")
    (event,) = events.values()
    assert str(event["summary"]) == "Supervision: Случай семьи"
