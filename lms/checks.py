"""Deployment checks of the project's own (``manage.py check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.http.request import validate_host

PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache",)


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Kept pages, remembered routes and signed-in people (lms.versions, cms.routing,
    lms.auth_backends) are made stale by writes in any process: every process must share one
    cache, or one would go on serving what another has changed."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PROCESS_LOCAL_CACHES:
        return [
            Warning(
                "The default cache is local to each process.",
                hint="Set CACHE_URL (or REDIS_URL) to the shared Redis: pages kept in one "
                "process would not follow writes made in another.",
                id="lms.W001",
            )
        ]
    return []


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
