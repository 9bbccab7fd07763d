"""Reach on a constructed three-wave cascade with duplicates: each person once per region, at
the lowest wave that reached them; only accepted events count; merges count twice-listed people
once."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cascade import services
from cascade.models import Event, Person
from cascade.reach import reach_by_wave, reach_refresh, refresh_pending
from tests.factories import enroll, make_cohort, make_course, make_user, region

pytestmark = pytest.mark.django_db


def csv_list(*rows):
    text = "ФИО;Организация;Должность;E-mail\n" + "\n".join(";".join(r) for r in rows)
    return SimpleUploadedFile("list.csv", text.encode("utf-8"))


@pytest.fixture
def world():
    course = make_course(modules=2)
    cohort = make_cohort(course, regions=("35",), status="finished")
    graduates = []
    for n, name in enumerate(["Анна", "Бэлла"]):
        user = make_user(f"g{n}@example.org", role="specialist", region_code="35", first_name=name)
        enroll(user, cohort, status="completed")
        graduates.append(user)
    reach_refresh()  # what completing through courses/ does (its enrollment_completed signal)
    coordinator = make_user("c35@example.org", role="coordinator", region_code="35", totp=True)
    return {
        "course": course,
        "graduates": graduates,
        "coordinator": coordinator,
        "modules": list(course.modules.all()),
    }


def run_event(
    world, team, trainer, *, participants=(), rows=(), accept=True, title="Семинар", by=None
):
    """An event of ``team`` held yesterday by ``trainer``: accounts join by code, ``rows`` come
    as a list; the report is sent (by ``by``, else the trainer, who also plans and lists) and,
    if ``accept``, accepted by the coordinator."""
    by = by or trainer
    start = timezone.now() - dt.timedelta(days=1)
    event = services.event_plan(
        team=team,
        by=by,
        trainers=[trainer],
        modules=world["modules"][:1],
        title=title,
        format=Event.Format.IN_PERSON,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        municipality="г. Вологда",
        venue="Ресурсный центр",
        expected_participants=20,
        hours=4,
    )
    for user in participants:
        services.event_join(code=event.invite_code.lower(), user=user)
    if rows:
        report = services.participants_upload(event=event, uploaded=csv_list(*rows), by=by)
        assert report.saved, report.errors
    services.event_report(event=event, by=by, outcome="Провели.")
    if accept:
        services.event_review(event=event, by=world["coordinator"], accept=True)
    event.refresh_from_db()
    return event


def waves(code="35"):
    refresh_pending()  # what the Celery task does once the writes commit
    return reach_by_wave([region(code).pk]).get(region(code).pk, {})


def test_three_waves_with_duplicates_and_merges(world):
    g1, g2 = world["graduates"]
    coordinator = world["coordinator"]
    team_a = services.team_create(
        by=coordinator,
        region=region("35"),
        name="Вологодские трансляторы",
        lead=g1,
        members=[(g2, "")],
        modules=world["modules"],
    )
    pavel = make_user(
        "pavel@example.org",
        region_code="35",
        first_name="Павел",
        last_name="Орлов",
        middle_name="Ильич",
    )
    run_event(
        world,
        team_a,
        g1,
        participants=[pavel, g2],  # a graduate at a cascade event stays wave 1
        rows=[
            ("Петрова Анна Ивановна", "Отдел опеки г. Череповца", "специалист", ""),
            ("Сидорова Ольга Петровна", "Центр помощи детям", "психолог", ""),
            # Pavel again, from the list: same ФИО and organisation, other spacing and «ё».
            ("Орлов  Павел Ильич", str(pavel.organisation), "специалист", ""),
        ],
    )
    assert waves() == {1: 2, 2: 3}

    # Pavel, trained in wave 2, may join a team without a stated reason and teach wave 3.
    team_b = services.team_create(
        by=coordinator, region=region("35"), name="Череповецкая команда", lead=pavel
    )
    run_event(
        world,
        team_b,
        pavel,
        title="Второй круг",
        rows=[
            ("Кузнецова Ирина Петровна", "Школа приёмных родителей", "педагог", ""),
            ("Кузнецова И. П.", "Школа приёмных родителей", "педагог", ""),
            ("Петрова Анна Ивановна", "Отдел опеки г. Череповца", "специалист", ""),
        ],
    )
    # Петрова stays in wave 2; the two spellings of Кузнецова are two people until merged.
    assert waves() == {1: 2, 2: 3, 3: 2}

    # A report not yet accepted reaches nobody.
    pending = run_event(
        world,
        team_b,
        pavel,
        title="Третий круг",
        accept=False,
        rows=[("Новикова Вера Сергеевна", "Детский дом", "воспитатель", "")],
    )
    assert pending.status == Event.Status.REPORTED
    assert waves() == {1: 2, 2: 3, 3: 2}

    full, short = (
        Person.objects.get(full_name=n) for n in ("Кузнецова Ирина Петровна", "Кузнецова И. П.")
    )
    services.person_merge(duplicate=short, into=full, by=coordinator)
    assert waves() == {1: 2, 2: 3, 3: 1}

    services.event_review(event=pending, by=coordinator, accept=True)
    assert waves() == {1: 2, 2: 3, 3: 2}


def test_an_expert_teaches_as_the_first_line_and_regions_count_apart(world):
    expert = make_user("expert@example.org", region_code="35", first_name="Эксперт")
    with pytest.raises(services.CascadeError, match="не окончил"):
        services.team_create(by=world["coordinator"], region=region("35"), name="Т", lead=expert)
    team = services.team_create(
        by=world["coordinator"],
        region=region("35"),
        name="Т",
        lead=world["graduates"][0],
        members=[(expert, "Психолог центра, ведёт модуль о раннем возрасте")],
    )
    run_event(world, team, expert, rows=[("Белова Нина Олеговна", "ЦСОН", "специалист", "")])
    assert waves() == {1: 2, 2: 1}  # the expert is not counted as reached
    assert waves("38") == {}


def test_only_the_regions_coordinator_forms_teams_and_accepts_reports(world):
    g1 = world["graduates"][0]
    other = make_user("c38@example.org", role="coordinator", region_code="38", totp=True)
    with pytest.raises(services.CascadeError, match="координатор региона"):
        services.team_create(by=other, region=region("35"), name="Т", lead=g1)
    team = services.team_create(by=world["coordinator"], region=region("35"), name="Т", lead=g1)
    event = run_event(
        world, team, g1, rows=[("Белова Нина", "ЦСОН", "специалист", "")], accept=False
    )
    with pytest.raises(services.CascadeError, match="координатор региона"):
        services.event_review(event=event, by=other, accept=True)
    with pytest.raises(services.CascadeError, match="что исправить"):
        services.event_review(event=event, by=world["coordinator"], accept=False)
    services.event_review(event=event, by=world["coordinator"], accept=False, comment="Фото?")
    event.refresh_from_db()
    assert event.status == Event.Status.RETURNED
    assert waves() == {1: 2}  # the graduates only; the returned event reaches nobody


def test_a_report_is_accepted_by_someone_other_than_who_sent_it(world, mailoutbox):
    """A coordinator who plans, reports and would accept her own event is refused; the
    decision is someone else's, and who decided and when is kept."""
    coordinator, lead = world["coordinator"], world["graduates"][0]
    team = services.team_create(by=coordinator, region=region("35"), name="Т", lead=lead)
    admin = make_user("admin@example.org", role="admin", totp=True)
    mailoutbox.clear()
    event = run_event(
        world,
        team,
        lead,
        rows=[("Белова Нина", "ЦСОН", "специалист", "")],
        accept=False,
        by=coordinator,
    )
    assert (event.reported_by, event.status) == (coordinator, Event.Status.REPORTED)
    # The region's only coordinator sent it: the programme admin is asked instead.
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert not services.may_review(coordinator, event)
    with pytest.raises(services.CascadeError, match="Вы отправили этот отчёт"):
        services.event_review(event=event, by=coordinator, accept=True)
    event.refresh_from_db()
    assert event.status == Event.Status.REPORTED and waves() == {1: 2}

    second = make_user("c35b@example.org", role="coordinator", region_code="35", totp=True)
    assert [u.pk for u in services.reviewers_of(event)] == [second.pk]
    assert services.may_review(second, event)
    services.event_review(event=event, by=second, accept=True)
    event.refresh_from_db()
    assert (event.status, event.reviewed_by) == (Event.Status.ACCEPTED, second)
    assert event.reviewed_at is not None and event.reviewed_at >= event.reported_at
    assert waves() == {1: 2, 2: 1}


def test_a_bad_list_saves_nothing_and_says_which_rows(world):
    g1 = world["graduates"][0]
    team = services.team_create(by=world["coordinator"], region=region("35"), name="Т", lead=g1)
    event = run_event(
        world, team, g1, rows=[("Белова Нина", "ЦСОН", "специалист", "")], accept=False
    )
    event.status = Event.Status.RETURNED
    event.save()
    report = services.participants_upload(
        event=event,
        uploaded=csv_list(
            ("Иванов Иван Иванович", "ЦСОН", "специалист", ""),
            ("", "ЦСОН", "специалист", ""),
            ("Смирнов Олег", "", "психолог", "не-почта"),
        ),
        by=g1,
    )
    assert not report.saved
    lines = {e.line for e in report.errors}
    assert {3, 4} <= lines
    assert event.participations.count() == 1
    assert not Person.objects.filter(full_name="Иванов Иван Иванович").exists()


def test_a_marking_that_completes_a_cohort_refreshes_the_waves_once_outside_the_request(
    django_capture_on_commit_callbacks, monkeypatch
):
    """«Все присутствовали» completing 30 learners: the request only leaves requests behind;
    one refresh serves them all and the other queued tasks find nothing to do."""
    from cascade import reach
    from cascade.models import ReachRequest
    from courses import services as courses_services
    from tests.factories import held, make_session

    course = make_course(modules=0, completion_attendance_percent=100)
    cohort = make_cohort(course, regions=("35",))
    learners = [
        enroll(make_user(f"l{n}@example.org", role="specialist", region_code="35"), cohort)
        for n in range(30)
    ]
    session = held(make_session(cohort))
    trainer = make_user("t@example.org", role="trainer")
    runs = []
    real = reach.reach_refresh
    monkeypatch.setattr(reach, "reach_refresh", lambda: runs.append(1) or real())

    with django_capture_on_commit_callbacks(execute=False) as queued:
        courses_services.attendance_mark(
            session=session, marks={e.pk: "present" for e in learners}, by=trainer
        )
    tasks = []
    for callback in queued:  # after the commit: the completion signals, each queueing a task
        with django_capture_on_commit_callbacks(execute=False) as queued_tasks:
            callback()
        tasks += queued_tasks
    assert runs == []  # nothing of the cascade's recompute ran in the request
    assert ReachRequest.objects.count() == 30 and len(tasks) >= 30
    for task in tasks:  # the worker: the first task serves every request, the rest find none
        task()
    assert len(runs) == 1
    assert not ReachRequest.objects.exists()
    assert waves() == {1: 30}
