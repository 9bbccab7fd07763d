"""Where an address leads, remembered between requests.

Wagtail finds a page by walking the tree from the site's root on every request: two queries a
level (the child by its slug, then its specific page). The page an address ends on is kept in
the cache, as its specific page, under the version of the site's pages (``lms.versions.PAGES``):
any page saved, deleted, moved, published or unpublished replaces that version, so a kept
page is never older than the last change to any page, and a served page asks no query to be
found.
"""

from django.core.cache import cache
from wagtail.url_routing import RouteResult

from lms.versions import pages_version

ROUTE_SECONDS = 60 * 60


def route_remembered(root, request, path_components, walk) -> RouteResult:
    """The route from ``root`` for ``path_components``: remembered, or found by ``walk`` (the
    page's own ``route``) and then remembered when it ends on a page with nothing left over."""
    if not path_components:
        return walk(request, path_components)
    url_path = root.url_path + "".join(f"{part}/" for part in path_components)
    key = f"cms:route:{root.pk}:{url_path}:{pages_version(request)}"
    page = cache.get(key)
    if page is not None:
        return RouteResult(page)
    result = walk(request, path_components)
    page = result.page
    if not result.args and not result.kwargs and page.url_path == url_path:
        cache.set(key, page, ROUTE_SECONDS)
    return result
