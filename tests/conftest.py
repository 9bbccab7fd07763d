"""Shared fixtures. Tests that need a real service say so with a marker; where CI requires the
services (LMS_REQUIRE_SERVICES=1) a missing one fails the run instead of skipping it."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
SERVICES_REQUIRED = os.environ.get("LMS_REQUIRE_SERVICES") == "1"


def service_missing(reason: str):
    """Fail loudly where CI requires the service, skip with the reason elsewhere."""
    if SERVICES_REQUIRED:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def postgres():
    """Requires PostgreSQL. Tests using it are marked
    ``django_db(transaction=True, serialized_rollback=True)`` so that other connections
    (threads, processes) see their data and the migrations' data is restored afterwards."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("DATABASE_URL does not point at PostgreSQL")
    return connection


@pytest.fixture
def broker_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        service_missing("CELERY_BROKER_URL is not set to a Redis broker")
    if not _reachable(url, 6379):
        service_missing(f"the broker at {url} does not answer")
    return url


class WorkerProcess:
    """A real `celery worker` process on the real broker, with its own queue, mail folder and
    private-files folder; the test decides the database it uses."""

    def __init__(self, broker_url, tmp_path, *, queue=None, extra_env=None):
        self.mail_dir = tmp_path / "mail"
        self.private_dir = tmp_path / "private"
        self.mail_dir.mkdir(exist_ok=True)
        self.private_dir.mkdir(exist_ok=True)
        self.queue = queue or f"test-{os.getpid()}-{time.monotonic_ns()}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings.base",
            "DJANGO_DEBUG": "false",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_DEFAULT_QUEUE": self.queue,
            "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PRIVATE_MEDIA_ROOT": str(self.private_dir),
            **(extra_env or {}),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lms",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=WARNING",
                "-Q",
                self.queue,
                "--without-gossip",
                "--without-mingle",
                "--include",
                "tests.worker_hooks",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def celery_worker_process(broker_url, tmp_path):
    """One real worker; yields {"mail_dir", "queue", "process"}."""
    worker = WorkerProcess(broker_url, tmp_path)
    try:
        yield {"mail_dir": worker.mail_dir, "queue": worker.queue, "process": worker.process}
    finally:
        worker.stop()


@pytest.fixture
def specialist(db):
    return make_user("specialist@example.org", role="specialist", region_code="54")


@pytest.fixture
def client_as(client):
    """``client_as(user)`` signs the test client in as ``user`` and returns it."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def celery_conf():
    """Change the Celery app's settings for one test (the app reads Django settings once)."""
    from lms.celery import app

    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.conf[key])
            app.conf[key] = value

    yield change
    for key, value in saved.items():
        app.conf[key] = value


@pytest.fixture
def library():
    """The library's index at /library/ with two topics and two target groups."""
    from cms.models import HomePage, LibraryIndexPage, TargetGroup, Topic

    home = HomePage.objects.get()
    index = home.add_child(instance=LibraryIndexPage(title="Библиотека", slug="library"))
    topics = {
        slug: Topic.objects.create(slug=slug, name=name)
        for slug, name in (("prevention", "Профилактика"), ("training", "Обучение"))
    }
    groups = {
        slug: TargetGroup.objects.create(slug=slug, name=name)
        for slug, name in (("birth", "Кровные семьи"), ("foster", "Замещающие семьи"))
    }
    return {"index": index, "topics": topics, "groups": groups}
