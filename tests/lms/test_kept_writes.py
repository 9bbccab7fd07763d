"""Every kind of write makes what is kept stale (lms.versions): after it, the next request shows
the new state. The trainer's roster of a cohort stands for every kept piece: it shows the
learners' names, their seminars attended and who is on the cohort.

The same writes are made once in this process against the test client, and once against two
gunicorn workers on PostgreSQL with the cache in Redis (CI), where the write is made by another
process than the one that serves the page."""

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance, Enrollment
from lms.models import User
from tests.conftest import ROOT, _reachable, service_missing
from tests.factories import enroll, make_cohort, make_course, make_session, make_user

LEARNER = "Сидорова"


def _world():
    course = make_course(modules=1)
    cohort = make_cohort(course, regions=("54",))
    trainer = make_user("trainer@example.org", role="trainer", region_code="50")
    cohort.trainers.add(trainer)
    session = make_session(cohort, starts_at=timezone.now() - dt.timedelta(days=1))
    learner = make_user("learner@example.org", role="specialist", last_name=LEARNER)
    return {
        "cohort": cohort,
        "trainer": trainer,
        "session": session,
        "learner": learner,
        "enrollment": enroll(learner, cohort),
        "admin": make_user("admin@example.org", role="admin", totp=True),
    }


def renamed_by_save(w, client):
    w["learner"].last_name = "Петренко"
    w["learner"].save()
    return "Петренко"


def renamed_by_update(w, client):
    User.objects.filter(pk=w["learner"].pk).update(last_name="Петренко")
    return "Петренко"


def renamed_by_bulk_update(w, client):
    w["learner"].last_name = "Петренко"
    User.objects.bulk_update([w["learner"]], ["last_name"])
    return "Петренко"


def attendance_by_bulk_create(w, client):
    Attendance.objects.bulk_create(
        [Attendance(enrollment=w["enrollment"], session=w["session"], status="present")]
    )
    return "семинаров 1/1"


def attendance_by_data_migration(w, client):
    """A data migration writes through the historical model, which reaches no receiver; the
    ``migrate`` that runs it is what makes everything stale."""
    from django.db.migrations.loader import MigrationLoader

    historical = MigrationLoader(connection).project_state().apps
    historical.get_model("courses", "Attendance").objects.create(
        enrollment_id=w["enrollment"].pk, session_id=w["session"].pk, status="present"
    )
    call_command("migrate", verbosity=0, interactive=False)
    return "семинаров 1/1"


def withdrawn_by_queryset_delete(w, client):
    Enrollment.objects.filter(pk=w["enrollment"].pk).delete()
    return None


def withdrawn_by_admin_action(w, client):
    client.force_login(w["admin"])
    response = client.post(
        "/django-admin/courses/enrollment/",
        {"action": "delete_selected", "_selected_action": [w["enrollment"].pk], "post": "yes"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert not Enrollment.objects.filter(pk=w["enrollment"].pk).exists()
    return None


WRITES = [
    renamed_by_save,
    renamed_by_update,
    renamed_by_bulk_update,
    attendance_by_bulk_create,
    attendance_by_data_migration,
    withdrawn_by_queryset_delete,
    withdrawn_by_admin_action,
]


def assert_shows(html: str, expected: str | None):
    """``expected`` is a text the roster must now show; None: the learner is no longer on it."""
    if expected is None:
        assert LEARNER not in html
    else:
        assert expected in html


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES, ids=lambda f: f.__name__)
def test_the_next_request_shows_a_write_of_every_kind(client, write):
    w = _world()
    url = reverse("courses:cohort_roster", args=[w["cohort"].pk])
    client.force_login(w["trainer"])

    def roster():
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    with CaptureQueriesContext(connection) as built:
        first = roster()
    assert LEARNER in first and "семинаров 0/1" in first
    with CaptureQueriesContext(connection) as kept:
        roster()
    assert len(kept) < len(built)  # the second request is served the kept piece
    expected = write(w, client)
    client.force_login(w["trainer"])
    assert_shows(roster(), expected)


def test_forget_kept_pieces_makes_everything_stale_after_a_write_outside_django(db, client):
    """SQL typed into psql reaches no receiver: the command is what follows it."""
    w = _world()
    url = reverse("courses:cohort_roster", args=[w["cohort"].pk])
    client.force_login(w["trainer"])
    assert LEARNER in client.get(url).content.decode()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {User._meta.db_table} SET last_name = %s WHERE id = %s",  # noqa: S608
            ["Петренко", w["learner"].pk],
        )
    assert LEARNER in client.get(url).content.decode()  # nothing told the cache
    call_command("forget_kept_pieces", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert "Петренко" in client.get(url).content.decode()


# Two gunicorn workers, the cache in Redis, the writes made in this (another) process.

CACHE_DB = 14  # the broker's is 15 (.ci/run); lms.E003 keeps the cache off the broker's


@pytest.fixture
def shared_cache(broker_url, settings):
    """This process's cache pointed at the Redis database the gunicorn workers use, emptied."""
    from django.core.cache import cache

    from lms.settings.base import cache_from_url

    url = broker_url.rsplit("/", 1)[0] + f"/{CACHE_DB}"
    if not _reachable(url, 6379):
        service_missing(f"the cache at {url} does not answer")
    settings.CACHES = {"default": cache_from_url(url)}
    cache.clear()
    yield url
    cache.clear()


@pytest.fixture
def two_workers(postgres, shared_cache):
    """gunicorn with two sync workers on the test database and the shared cache."""
    database = postgres.settings_dict
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.base",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CACHE_URL": shared_cache,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "lms.wsgi:application", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not _reachable(base, port):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail("gunicorn did not start:\n" + server.stdout.read().decode()[-3000:])
        time.sleep(0.2)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _session_cookie(user) -> str:
    from lms.services import consent_text_current

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": settings.AUTHENTICATION_BACKENDS[0],
            "_auth_user_hash": user.get_session_auth_hash(),
            "consent_version": consent_text_current().version,
        }
    )
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _pages_from_both_workers(url: str, cookie: str, count: int = 8) -> list[str]:
    """``count`` answers fetched two at a time, so that both sync workers serve some."""
    pages: list[str] = []

    def fetch():
        for _ in range(count // 2):
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                assert response.status == 200
                pages.append(response.read().decode())

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages) == count
    return pages


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("write", WRITES, ids=lambda f: f.__name__)
def test_two_gunicorn_workers_show_a_write_made_by_another_process(two_workers, client, write):
    w = _world()
    url = two_workers + reverse("courses:cohort_roster", args=[w["cohort"].pk])
    cookie = _session_cookie(w["trainer"])
    before = _pages_from_both_workers(url, cookie)
    assert all(LEARNER in page and "семинаров 0/1" in page for page in before)
    expected = write(w, client)
    for page in _pages_from_both_workers(url, cookie):
        assert_shows(page, expected)
