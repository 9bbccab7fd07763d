"""Deployment checks of the project's own (``manage.py check --deploy``)."""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.http.request import validate_host

PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache",)


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Kept pages and remembered routes (lms.versions, cms.routing) are made stale by writes
    in any process: every process must share one cache, or one would go on serving what
    another has changed. And the cache empties its own Redis database when it comes back after
    losing writes (lms.cache), so that database must not be the broker's."""
    config = settings.CACHES["default"]
    if config["BACKEND"] in PROCESS_LOCAL_CACHES:
        return [
            Warning(
                "The default cache is local to each process.",
                hint="Set CACHE_URL (or REDIS_URL) to the shared Redis: pages kept in one "
                "process would not follow writes made in another.",
                id="lms.W001",
            )
        ]
    locations = config.get("LOCATION", "")
    locations = [locations] if isinstance(locations, str) else list(locations)
    if _redis_database(settings.CELERY_BROKER_URL) in {_redis_database(u) for u in locations}:
        return [
            Error(
                "The cache and the Celery broker use the same Redis database.",
                hint="Give the cache its own database (CACHE_URL=redis://host:6379/1 with the "
                "broker on /0): emptying the cache would drop queued tasks.",
                id="lms.E003",
            )
        ]
    return []


LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _redis_database(url: str) -> tuple:
    """Which Redis database a URL names: host (every loopback name is one), port, number
    (from the path, or redis-py's ``?db=``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return ("not redis", url)
    host = parts.hostname or "localhost"
    number = parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]
    return ("localhost" if host in LOOPBACK else host, parts.port or 6379, number)


@register(Tags.security, deploy=True)
def public_address(app_configs, **kwargs):
    """Links in e-mails, certificates and their QR codes are built from SITE_URL (lms.links):
    it must be the site's own HTTPS address, or every printed link would lead elsewhere."""
    url = urlsplit(settings.SITE_URL)
    if url.scheme != "https" or not url.hostname or url.path not in ("", "/"):
        return [
            Error(
                "SITE_URL is not the site's public HTTPS address.",
                hint="Set SITE_URL to https://<the host people open>, without a path.",
                id="lms.E001",
            )
        ]
    if not validate_host(url.hostname, settings.ALLOWED_HOSTS):
        return [
            Error(
                "SITE_URL's host is not in ALLOWED_HOSTS.",
                hint="Links built from SITE_URL would lead to a host this site refuses.",
                id="lms.E002",
            )
        ]
    return []
