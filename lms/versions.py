"""Cached pieces of pages that follow every write: versions of the data a piece is made from.

A piece of a page that is costly to build (a cohort's roster, a learner's panel) is kept in the
cache under a key holding the *versions* of the data it shows: scopes such as ``"cohort:12"`` or
``"user:5"``. A write replaces the versions of what it touched (``bump``), so the next reader
finds nothing under the new key and builds the piece again from the database; the old piece is
never read again and expires. Apps bump from their own signal receivers and services, so a
reader never sees a piece older than the last committed write.

Order matters and is kept here: versions are read *before* the data, and a write bumps both
at once and again after its transaction commits. A piece built from data read before the
commit is then stored under versions the commit has already replaced.

Pieces are rendered without the request: what differs per reader (their language and time
zone, what they may see) belongs in the key, and the CSRF token is put in on the way out.

Every key holds the running release too (``release()``, part of what ``current`` returns), so
nothing kept by one release of the code or templates is served by the next.

Every key holds one more scope, ``BULK``, which the writes that send no signal per row replace:
``update()``, ``bulk_create()`` and ``bulk_update()`` on the models pieces show (their querysets
are ``KeptQuerySet``s), and every ``migrate`` (a data migration writes through historical models,
which reach no receiver). After such a write everything kept is built again once: they are rare
(imports, admin actions, deploys), so exactness is not worth a second mechanism. A write made
outside Django (SQL typed into psql) is followed by ``manage.py forget_kept_pieces``.
"""

import functools
import hashlib
import os
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

VERSION_PREFIX = "lms:version:"
# The scope of the site's Wagtail pages: any page saved, deleted, moved, published or
# unpublished replaces it (lms.signals). Pieces that show pages (their titles, addresses) and
# remembered routes (cms.routing) are kept under it.
PAGES = "wagtail.pages"
# Held by every key: replaced by writes in bulk (KeptQuerySet) and by migrate (lms.signals).
BULK = "lms.bulk"
PIECE_PREFIX = "lms:piece:"
# A kept piece is dropped after this long even if nothing changed, so that pieces of versions
# no longer read do not pile up in the cache.
PIECE_SECONDS = 60 * 60
# Rendered in place of the CSRF token inside a kept piece, replaced by the reader's own token.
CSRF_PLACEHOLDER = "lms-csrf-token-placeholder"


def _new() -> str:
    return uuid.uuid4().hex[:12]


@functools.cache
def release() -> str:
    """The running release: ``LMS_RELEASE`` (RELEASE_ID, the commit a deploy sets), else a
    digest of the name, size and time of every file of the project's code, templates and
    translations, read once per process."""
    if settings.LMS_RELEASE:
        return settings.LMS_RELEASE
    digest = hashlib.sha256()
    stored = {
        os.path.realpath(str(path))
        for path in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT, settings.STATIC_ROOT)
        if path
    }
    for root, dirs, files in os.walk(settings.BASE_DIR):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in SKIPPED_DIRS
            and os.path.realpath(os.path.join(root, d)) not in stored
        )
        for name in sorted(files):
            if name.endswith((".py", ".html", ".txt", ".mo")):
                path = os.path.join(root, name)
                stat = os.stat(path)
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


SKIPPED_DIRS = {"node_modules", "test-results", "__pycache__"}  # and uploaded or collected files


def current(scopes: Iterable[str]) -> str:
    """The release and the versions of ``scopes`` (and of ``BULK``) as one string, in one cache
    round trip (two the first time a scope is seen, or after the cache lost it)."""
    keys = [VERSION_PREFIX + scope for scope in (BULK, *scopes)]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _new(), None)  # a version bumped meanwhile is kept, not overwritten
        found.update(cache.get_many(missing))
    return release() + ":" + ".".join(str(found.get(key, "")) for key in keys)


def pages_version(request) -> str:
    """``current([PAGES])``, read once per request: the remembered site and the remembered
    route of the same request both need it."""
    if not hasattr(request, "_lms_pages_version"):
        request._lms_pages_version = current([PAGES])
    return request._lms_pages_version


def bump(scopes: Iterable[str]) -> None:
    """Replace the versions of ``scopes`` now and again once the transaction commits."""
    keys = [VERSION_PREFIX + scope for scope in set(scopes)]
    if not keys:
        return

    def replace():
        cache.set_many({key: _new() for key in keys}, None)

    replace()
    transaction.on_commit(replace)


class KeptQuerySet(models.QuerySet):
    """The queryset of a model whose rows kept pieces show. ``save()`` and ``delete()`` (a
    queryset's too: Django sends ``post_delete`` per row while a receiver listens) reach the
    apps' receivers, which know exactly what they make stale; the writes below send no signal
    per row, so they make everything kept stale (``BULK``). ``bulk_update()`` goes through
    ``update()``."""

    def update(self, **kwargs):
        bump([BULK])
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        bump([BULK])
        return super().bulk_create(objs, *args, **kwargs)


def piece(
    request,
    *,
    name: str,
    scopes: Iterable[str],
    template: str,
    context: Callable[[], dict],
    timeout: int = PIECE_SECONDS,
) -> SafeString:
    """``template`` rendered with ``context()``, kept under ``name`` and the versions of
    ``scopes`` in the reader's language and time zone. ``name`` must hold everything else the
    piece depends on (page number, what the reader may see). A piece that changes with time
    (the next seminars) says until when it holds: ``context()`` returns that moment under
    ``"expires_at"``."""
    which = "|".join(
        (
            template,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            current(scopes),
        )
    )
    key = f"{PIECE_PREFIX}{name}:{hashlib.sha256(which.encode()).hexdigest()[:32]}"
    html = cache.get(key)
    if html is None:
        values = context()
        expires_at = values.get("expires_at")
        if expires_at is not None:
            timeout = min(timeout, int((expires_at - timezone.now()).total_seconds()))
        html = render_to_string(template, {**values, "csrf_token": CSRF_PLACEHOLDER})
        if timeout > 0:
            cache.set(key, html, timeout)
    return mark_safe(with_csrf_token(request, html))  # noqa: S308  (our own template's output)


def with_csrf_token(request, html: str) -> str:
    """Kept HTML with the reader's own CSRF token where it was rendered as the placeholder."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return html
