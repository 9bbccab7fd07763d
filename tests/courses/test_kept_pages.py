"""Kept pieces of pages (lms.versions) follow every write: the roster, the coordinator's page and
the learner's panel show a change on the very next request, and never another reader's view."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import CourseModule, Enrollment
from lms.versions import PIECE_PREFIX, piece
from tests.factories import enroll, make_cohort, make_course, make_session, make_user, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_world():
    course = make_course(modules=2, completion_attendance_percent=100)
    cohort = make_cohort(course, regions=("54",))
    trainer = make_user("trainer@example.org", role="trainer", region_code="50")
    cohort.trainers.add(trainer)
    session = make_session(cohort, starts_at=timezone.now() - dt.timedelta(days=1))
    learner = make_user("learner@example.org", role="specialist", last_name="Сидорова")
    enrollment = enroll(learner, cohort)
    return {
        "course": course,
        "cohort": cohort,
        "trainer": trainer,
        "session": session,
        "learner": learner,
        "enrollment": enrollment,
    }


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_roster_shows_attendance_just_marked(client, cohort_world):
    w = cohort_world
    url = reverse("courses:cohort_roster", args=[w["cohort"].pk])
    assert "семинаров 0/1" in page(client, w["trainer"], url)
    services.attendance_mark(
        session=w["session"], marks={w["enrollment"].pk: "present"}, by=w["trainer"]
    )
    assert "семинаров 1/1" in page(client, w["trainer"], url)


def test_roster_shows_a_renamed_learner_and_a_new_seminar(client, cohort_world):
    w = cohort_world
    url = reverse("courses:cohort_roster", args=[w["cohort"].pk])
    assert "Сидорова" in page(client, w["trainer"], url)
    w["learner"].last_name = "Петренко"
    w["learner"].save()
    make_session(w["cohort"], title="Работа с кровной семьёй")
    html = page(client, w["trainer"], url)
    assert "Петренко" in html and "Сидорова" not in html
    assert "Работа с кровной семьёй" in html


def test_roster_kept_for_a_trainer_is_not_shown_to_a_coordinator_of_another_region(
    client, cohort_world
):
    w = cohort_world
    w["cohort"].regions.add(region("02"))
    ufa = make_user("ufa@example.org", role="specialist", region_code="02", last_name="Уфимцева")
    enroll(ufa, w["cohort"])
    url = reverse("courses:cohort_roster", args=[w["cohort"].pk])
    assert "Уфимцева" in page(client, w["trainer"], url)  # the trainer sees every region
    coordinator = make_user("c54@example.org", role="coordinator", region_code="54", totp=True)
    html = page(client, coordinator, url)
    assert "Сидорова" in html and "Уфимцева" not in html


def test_coordinator_page_shows_a_new_application_and_then_the_decision(client, cohort_world):
    w = cohort_world
    coordinator = make_user("c54@example.org", role="coordinator", region_code="54", totp=True)
    url = reverse("courses:coordinate")
    assert "Новых заявок нет." in page(client, coordinator, url)
    applicant = make_user("applicant@example.org", role="specialist", last_name="Заявкина")
    services.enrollment_apply(
        user=applicant, cohort=w["cohort"], position="Специалист", organisation_name="ООП"
    )
    html = page(client, coordinator, url)
    assert "Заявкина" in html
    # The form in a kept piece carries this reader's own CSRF token, not a placeholder.
    assert "placeholder" not in html.split("csrfmiddlewaretoken", 1)[1][:120]
    application = Enrollment.objects.get(user=applicant)
    services.enrollment_decide(enrollment=application, decision="approve", by=coordinator)
    assert "Заявкина" not in page(client, coordinator, url)


def test_learner_panel_shows_a_module_studied_and_a_new_seminar(client, cohort_world):
    w = cohort_world
    url = reverse("dashboard")
    assert "Отметить изученным" in page(client, w["learner"], url)
    for module in CourseModule.objects.filter(course=w["course"]):
        services.module_mark_studied(user=w["learner"], module=module)
    make_session(w["cohort"], title="Супервизия случая семьи")
    html = page(client, w["learner"], url)
    assert "Отметить изученным" not in html
    assert "Супервизия случая семьи" in html


def test_learner_panel_forgets_a_seminar_that_is_over(rf, cohort_world):
    """A panel listing a seminar is kept only until that seminar ends."""
    calls = []

    def context():
        calls.append(1)
        return {"panel": {}, "expires_at": timezone.now() - dt.timedelta(seconds=1)}

    request = rf.get("/")
    for _ in range(2):
        piece(
            request,
            name="over",
            scopes=["test"],
            template="includes/pagination.html",
            context=context,
        )
    assert len(calls) == 2


def test_a_piece_is_kept_per_language(rf, settings):
    from django.core.cache import cache
    from django.utils import translation

    for language in ("ru", "en"):
        with translation.override(language):
            piece(
                rf.get("/"),
                name="lang",
                scopes=["test"],
                template="includes/pagination.html",
                context=dict,
            )
    kept = [key for key in cache._cache if PIECE_PREFIX + "lang" in key]
    assert len(kept) == 2


def test_a_piece_kept_by_one_release_is_not_served_by_the_next(rf, settings):
    """A deploy that changes code or an included template: the new release builds its pieces
    again, whatever the files' dates."""
    from lms import versions

    calls = []

    def context():
        calls.append(1)
        return {}

    def render():
        versions.release.cache_clear()
        piece(
            rf.get("/"),
            name="rel",
            scopes=["test"],
            template="includes/pagination.html",
            context=context,
        )

    settings.LMS_RELEASE = "2026.12.1"
    render()
    render()
    assert len(calls) == 1
    settings.LMS_RELEASE = "2026.12.2"
    render()
    assert len(calls) == 2
    versions.release.cache_clear()


def test_roster_shows_learners_enrolled_from_a_list(client, cohort_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = cohort_world
    coordinator = make_user("c54@example.org", role="coordinator", region_code="54", totp=True)
    known = make_user("known@example.org", role="specialist", last_name="Известнова")
    roster = reverse("courses:cohort_roster", args=[w["cohort"].pk])
    assert "Спискова" not in page(client, coordinator, roster)
    # A new person and someone already on the platform (written in bulk, with no signal).
    content = (
        "ФИО;E-mail;Организация;Должность\n"
        "Спискова Анна Павловна;listed@example.org;ООП Искитима;Специалист\n"
        f"Известнова Мария Петровна;{known.email};ООП;Специалист\n"
    ).encode()
    client.post(
        reverse("courses:cohort_import", args=[w["cohort"].pk]),
        {"file": SimpleUploadedFile("list.csv", content)},
    )
    html = page(client, coordinator, roster)
    assert "Спискова" in html and "Известнова" in html
