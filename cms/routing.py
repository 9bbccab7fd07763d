"""Where an address leads, remembered between requests.

Wagtail finds a page by walking the tree from the site's root on every request: two queries a
level (the child by its slug, then its specific page). The page an address ended on is kept
(its type and id) and read back in one query. A kept answer is used only if the page, as it is
now, is live and still at that address, so a move, a new slug, an unpublication or a deletion
is never answered from memory: the tree is walked again.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from wagtail.url_routing import RouteResult

ROUTE_SECONDS = 60 * 60


def route_remembered(root, request, path_components, walk) -> RouteResult:
    """The route from ``root`` for ``path_components``: remembered, or found by ``walk`` (the
    page's own ``route``) and then remembered when it ends on a page with nothing left over."""
    if not path_components:
        return walk(request, path_components)
    url_path = root.url_path + "".join(f"{part}/" for part in path_components)
    key = f"cms:route:{root.pk}:{url_path}"
    kept = cache.get(key)
    if kept is not None:
        content_type_id, page_id = kept
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        page = (
            model.objects.filter(pk=page_id, live=True, url_path=url_path).first()
            if model
            else None
        )
        if page is not None:
            return RouteResult(page)
    result = walk(request, path_components)
    page = result.page
    if not result.args and not result.kwargs and page.url_path == url_path:
        cache.set(key, (page.content_type_id, page.pk), ROUTE_SECONDS)
    return result
