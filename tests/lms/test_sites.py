"""The Wagtail site a host is served by is remembered per process (lms.sites), with its home
page as the home page's own class: a page costs two queries less (the site, the home page's
row), and a site saved or deleted is followed at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from wagtail.models import Page, Site

from cms.models import HomePage
from lms import sites

pytestmark = pytest.mark.django_db


@pytest.fixture
def remembered():
    sites.forget()
    with override_settings(LMS_SITE_CACHE_SECONDS=60):
        yield
    sites.forget()


def test_the_home_page_asks_for_its_site_once_per_process(client, remembered):
    with override_settings(LMS_SITE_CACHE_SECONDS=0):
        client.get("/")
        with CaptureQueriesContext(connection) as asking:
            assert client.get("/").status_code == 200
    asked = [q["sql"] for q in asking]  # read now: the next request resets the log
    client.get("/")
    with CaptureQueriesContext(connection) as remembering:
        assert client.get("/").status_code == 200
    site_queries = [sql for sql in asked if "wagtailcore_site" in sql]
    home_queries = [sql for sql in asked if '"cms_homepage"' in sql]
    assert site_queries and home_queries
    assert not [q for q in remembering if "wagtailcore_site" in q["sql"]]
    assert len(remembering) == len(asked) - len(site_queries) - len(home_queries)


def test_a_site_saved_or_deleted_is_followed_at_once(client, remembered):
    home = HomePage.objects.get()
    other = home.add_sibling(instance=HomePage(title="Другая главная", slug="other-home"))
    site = Site.objects.get(is_default_site=True)
    client.get("/")  # remembered: the programme's home
    home.title = "Главная программы"
    home.save_revision().publish()
    assert "Главная программы" in client.get("/").content.decode()
    site.root_page = other
    site.save()
    assert "Другая главная" in client.get("/").content.decode()
    site.delete()
    assert client.get("/").status_code == 404
    Site.objects.create(
        hostname="localhost", root_page=Page.objects.get(pk=home.pk), is_default_site=True
    )
    assert client.get("/").status_code == 200


def test_a_site_changed_in_another_process_is_followed_on_the_next_request(client, remembered):
    """Another process saves the site: its receivers replace the pages' version in the shared
    cache, and this process's memo, kept under that version, is asked again."""
    from lms.signals import pages_changed

    home = HomePage.objects.get()
    other = home.add_sibling(instance=HomePage(title="Другая главная", slug="other-home"))
    client.get("/")  # remembered here: the programme's home
    Site.objects.filter(is_default_site=True).update(root_page=other)  # no signal in this one
    assert "Другая главная" not in client.get("/").content.decode()  # not yet told
    pages_changed(sender=Site)  # what the other process's save does in the shared cache
    assert "Другая главная" in client.get("/").content.decode()


def test_the_deploy_check_asks_for_a_shared_cache(settings):
    from lms.checks import shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache(None)] == ["lms.W001"]
    settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": "redis://x"}}
    assert shared_cache(None) == []
    # Emptying the cache must never drop the broker's queued tasks.
    settings.CELERY_BROKER_URL = "redis://redis.internal:6379/0"
    for location, errors in (
        ("redis://redis.internal:6379/1", []),
        ("redis://redis.internal:6379/0", ["lms.E003"]),
        ("redis://redis.internal", ["lms.E003"]),
        ("redis://cache.internal:6379/0", []),
    ):
        settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": location}}
        assert [e.id for e in shared_cache(None)] == errors, location
    # One machine's Redis under any of its names is one Redis.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    for location, errors in (
        ("redis://localhost:6379/0", ["lms.E003"]),
        ("redis://[::1]/0", ["lms.E003"]),
        ("redis://localhost?db=0", ["lms.E003"]),
        ("redis://localhost:6379?db=1", []),
        ("redis://localhost:6380/0", []),
    ):
        settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": location}}
        assert [e.id for e in shared_cache(None)] == errors, location


@pytest.mark.parametrize(
    "site_url, hosts, errors",
    [
        ("https://opeka.example.org", ["opeka.example.org"], []),
        ("https://opeka.example.org", [".example.org"], []),
        ("http://opeka.example.org", ["opeka.example.org"], ["lms.E001"]),
        ("https://opeka.example.org/lms", ["opeka.example.org"], ["lms.E001"]),
        ("", ["opeka.example.org"], ["lms.E001"]),
        ("https://127.0.0.1:8000", ["opeka.example.org"], ["lms.E002"]),
    ],
)
def test_the_deploy_check_asks_for_the_public_https_address(settings, site_url, hosts, errors):
    from lms.checks import public_address

    settings.SITE_URL, settings.ALLOWED_HOSTS = site_url, hosts
    assert [e.id for e in public_address(None)] == errors


def test_production_refuses_to_start_without_site_url():
    import os
    import subprocess
    import sys

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SITE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="opeka.example.org",
        DATABASE_URL="sqlite:///unused.sqlite3",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr
