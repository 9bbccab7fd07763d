"""Which Wagtail site serves a request, remembered per host and port.

Wagtail finds the site with a query on every request (``Site.find_for_request``), and every
``pageurl`` and every page served needs it. The answer depends only on the request's host and
port, and sites change rarely, so each process keeps it for ``LMS_SITE_CACHE_SECONDS`` (0 turns
this off), under the version of the site's pages (``lms.versions.PAGES``, one shared-cache
read a request): a site or a page saved or deleted in any process replaces that version
(lms.signals), so every process asks again on its next request.

What is kept are the rows' values, not objects: every request gets a site and a root page of
its own, so nothing one request caches on them (a page's ``specific``) reaches another.
"""

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port
from wagtail.models import Page, Site

from .versions import pages_version

_found: dict[tuple[str, int | str], tuple[float, str, tuple | None]] = {}
_lock = threading.Lock()


def _values(instance) -> tuple:
    return (
        type(instance),
        tuple(f.attname for f in instance._meta.concrete_fields),
        tuple(getattr(instance, f.attname) for f in instance._meta.concrete_fields),
    )


def _rebuild(kept: tuple | None) -> Site | None:
    if kept is None:
        return None
    (site_class, site_names, site_values), (page_class, page_names, page_values) = kept
    site = site_class.from_db("default", site_names, site_values)
    # The root page is kept as its specific class (the home page): every page served is
    # routed from ``root_page.specific``, which then asks no query.
    site.root_page = page_class.from_db("default", page_names, page_values)
    return site


def site_for(request) -> Site | None:
    seconds = settings.LMS_SITE_CACHE_SECONDS
    key = (split_domain_port(request._get_raw_host())[0], request.get_port())
    version = pages_version(request)
    kept = _found.get(key)
    if kept is not None and kept[0] > time.monotonic() and kept[1] == version:
        return _rebuild(kept[2])
    site = Site._find_for_request(request)
    found = (_values(site), _values(site.root_page.specific)) if site is not None else None
    with _lock:
        _found[key] = (time.monotonic() + seconds, version, found)
    return site


def forget(sender=None, **kwargs) -> None:
    """Saving or deleting a site or any page (a page's signal names its own class)."""
    if sender is None or issubclass(sender, (Site, Page)):
        with _lock:
            _found.clear()


post_save.connect(forget, dispatch_uid="lms.sites")
post_delete.connect(forget, dispatch_uid="lms.sites")


class SiteMiddleware:
    """Hands Wagtail the remembered site, so ``Site.find_for_request`` asks no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LMS_SITE_CACHE_SECONDS:
            request._wagtail_site = site_for(request)
        return self.get_response(request)
