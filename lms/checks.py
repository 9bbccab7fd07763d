"""Deployment checks of the project's own (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

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
