"""Reading the library: who may see which page, filters with counts, search with highlighted
snippets, related pages and reading counts.

The index costs a fixed number of queries whatever the library's size: the reader's view
restrictions, one search (when asked), one count and one page of results, one count per facet.
What a page of the index lists (ids, count, facets) is cached per filter, page and set of
restrictions the reader is kept out by, under a version that any publication, unpublication,
deletion, move, privacy or managed-list change replaces (cms/signals.py); so are the view
restrictions themselves. The listing's HTML is cached under the same key, and a visitor's whole
page under it too (every visitor of an address sees the same page), so a cached page costs
Wagtail's own restriction check and little else.
"""

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import BaseViewRestriction, PageViewRestriction

from lms.models import Region, Role
from lms.versions import CSRF_PLACEHOLDER, bump, current, with_csrf_token

from .models import LibraryPage, Reading, TargetGroup, Topic
from .search import WORD, normalise, term, terms
from .services import may_propose

PAGE_SIZE = 20
LISTING_SECONDS = 3600  # cached listings also expire, whatever happens
# The index's line on how many read the library counts every reading of the programme: it is
# kept this long (/library/readers/ counts live).
READING_TOTALS_SECONDS = 300
LIBRARY = "cms.library"  # the version scope of everything the library lists
SEARCH_LIMIT = 500  # the most relevant hits a search keeps; enough to page and filter through
QUERY_MAX_LENGTH = 200
FILTER_KEYS = ("q", "type", "region", "topic", "group", "year")


def blocked_restrictions(request) -> list:
    """The view restrictions (Wagtail's page privacy) that keep ``request``'s reader out:
    sign-in for visitors, groups they are not in, passwords they have not given."""
    user = request.user
    group_ids = None
    blocked = []
    for restriction in view_restrictions():
        kind = restriction.restriction_type
        if kind == BaseViewRestriction.LOGIN and user.is_authenticated:
            continue
        if kind == BaseViewRestriction.GROUPS and user.is_authenticated:
            if user.is_superuser:
                continue
            if group_ids is None:
                group_ids = set(user.groups.values_list("pk", flat=True))
            if group_ids & {group.pk for group in restriction.groups.all()}:
                continue
        if kind == BaseViewRestriction.PASSWORD and restriction.pk in request.session.get(
            restriction.passed_view_restrictions_session_key, []
        ):
            continue
        blocked.append(restriction)
    return blocked


def view_restrictions() -> list:
    """Every view restriction with its page and groups, kept under the library's version: a
    restriction saved or deleted replaces the version (cms.signals), so none is missed."""
    key = f"library:restrictions:{library_version()}"
    restrictions = cache.get(key)
    if restrictions is None:
        restrictions = list(
            PageViewRestriction.objects.select_related("page").prefetch_related("groups")
        )
        cache.set(key, restrictions, LISTING_SECONDS)
    return restrictions


def readable(request, queryset=None, blocked=None):
    """Live library pages ``request``'s reader may open: public ones, and those an editor
    restricted to signed-in readers or to a group the reader is in."""
    queryset = (queryset if queryset is not None else LibraryPage.objects.all()).live()
    if blocked is None:
        blocked = blocked_restrictions(request)
    hidden = Q()
    for restriction in blocked:
        hidden |= queryset.descendant_of_q(restriction.page, inclusive=True)
    return queryset.exclude(hidden) if blocked else queryset


@dataclass
class Filters:
    """What the reader asked for, checked: unknown values are dropped with a message."""

    q: str = ""
    type: str = ""
    region: str = ""
    topic: str = ""
    group: str = ""
    year: int | None = None
    problems: list = field(default_factory=list)

    def apply(self, queryset, *, skip: str = ""):
        if self.type and skip != "type":
            queryset = queryset.filter(kind=self.type)
        if self.region and skip != "region":
            queryset = queryset.filter(region__code=self.region)
        if self.topic and skip != "topic":
            queryset = queryset.filter(topics__slug=self.topic)
        if self.group and skip != "group":
            queryset = queryset.filter(target_groups__slug=self.group)
        if self.year and skip != "year":
            queryset = queryset.filter(year=self.year)
        return queryset

    def query_string(self, **changes) -> str:
        """The canonical query string, with ``changes`` (a value, or None to drop a key)."""
        values = {key: getattr(self, key) for key in FILTER_KEYS}
        values.update(changes)
        return urlencode([(key, values[key]) for key in FILTER_KEYS if values[key]])

    @property
    def active(self) -> bool:
        return any(getattr(self, key) for key in FILTER_KEYS)


def filters_from(params) -> Filters:
    filters = Filters(q=" ".join(params.get("q", "").split())[:QUERY_MAX_LENGTH])
    kind = params.get("type", "")
    if kind in LibraryPage.Kind.values:
        filters.type = kind
    elif kind:
        filters.problems.append(_("Неизвестный вид материалов: фильтр не применён."))
    region = params.get("region", "")
    if region and Region.objects.filter(code=region).exists():
        filters.region = region
    elif region:
        filters.problems.append(
            _("Региона с кодом «%(code)s» нет: фильтр по региону не применён.") % {"code": region}
        )
    for key, model, message in (
        ("topic", Topic, _("Такой темы нет: фильтр по теме не применён.")),
        ("group", TargetGroup, _("Такой целевой группы нет: фильтр не применён.")),
    ):
        slug = params.get(key, "")
        if slug and model.objects.filter(slug=slug).exists():
            setattr(filters, key, slug)
        elif slug:
            filters.problems.append(message)
    year = params.get("year", "")
    if year.isdigit() and 1990 <= int(year) <= 2100:
        filters.year = int(year)
    elif year:
        filters.problems.append(_("Год указан неверно: фильтр по году не применён."))
    return filters


def search_ids(queryset, query: str) -> list[int]:
    """Ids of the pages having every word of ``query`` in some form, most relevant first.

    The query is turned into search terms as the pages' text was when indexed (cms/search.py),
    then handed to Wagtail's database backend, which finds the same pages on SQLite and on
    PostgreSQL. A query without a word finds nothing."""
    asked = normalise(query)
    if not asked:
        return []
    found = queryset.only("pk").search(asked, operator="and")[:SEARCH_LIMIT]
    return [page.pk for page in found]


@dataclass
class Facet:
    key: str
    label: str
    options: list  # (value, label, count, url, selected)


def _facet(filters, key, label, rows) -> Facet:
    """A facet from ``rows`` of (value, label, count) in display order; values no page has
    are left out unless selected (so the reader can still remove them)."""
    selected = str(getattr(filters, key) or "")
    options = []
    for value, name, count in rows:
        is_selected = str(value) == selected
        if count or is_selected:
            url = "?" + filters.query_string(**{key: None if is_selected else value})
            options.append((value, name, count, url, is_selected))
    return Facet(key, label, options)


def _counted(queryset, value, name, order):
    return queryset.values_list(value, name).annotate(n=Count("pk")).order_by(*order)


def facets(filters: Filters, base) -> list[Facet]:
    """Counts for each filter's values, given the other filters (so a reader sees where a
    different region or topic would take them). One query per facet."""
    kinds = dict(
        filters.apply(base, skip="type").values_list("kind").annotate(n=Count("pk")).order_by()
    )
    topic_pages = filters.apply(base, skip="topic")
    group_pages = filters.apply(base, skip="group")
    years = filters.apply(base, skip="year").values_list("year").annotate(n=Count("pk"))
    return [
        _facet(
            filters,
            "type",
            _("Вид"),
            [(kind, name, kinds.get(kind, 0)) for kind, name in LibraryPage.Kind.choices],
        ),
        _facet(
            filters,
            "region",
            _("Регион"),
            _counted(
                filters.apply(base, skip="region").annotate(region_title=Region.title_expression()),
                "region__code",
                "region_title",
                ["region_title"],
            ),
        ),
        _facet(
            filters,
            "topic",
            _("Тема"),
            _counted(
                Topic.objects.filter(pages__in=topic_pages), "slug", "name", ["order", "name"]
            ),
        ),
        _facet(
            filters,
            "group",
            _("Целевая группа"),
            _counted(
                TargetGroup.objects.filter(pages__in=group_pages), "slug", "name", ["order", "name"]
            ),
        ),
        _facet(
            filters,
            "year",
            _("Год"),
            [(year, year, n) for year, n in years.order_by("-year")],
        ),
    ]


SNIPPET_LENGTH = 300


def highlight(text: str, query: str, length: int = SNIPPET_LENGTH) -> str:
    """``text`` escaped, cut to about ``length`` characters around the first word that has the
    search term of a word of ``query`` («семьи» marks «семья» and «семьёй»), those words in
    <mark>: the terms the search found the page by (cms/search.py)."""
    asked = set(terms(query))
    hits = [m for m in WORD.finditer(text) if asked and term(m.group()) in asked]
    start = 0
    if hits and hits[0].start() > length // 3:
        start = text.rfind(" ", 0, hits[0].start() - length // 3) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    out, position = [], start
    for m in hits:
        if m.start() < start or m.end() > end:
            continue
        out.append(escape(text[position : m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        position = m.end()
    out.append(escape(text[position:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every piece escaped above


def index_response(index_page, request):
    filters = filters_from(request.GET)
    canonical = filters.query_string()
    given = request.GET.copy()
    page_number = given.pop("page", [""])[-1]
    if given and not filters.problems and canonical != given.urlencode():
        # Shareable addresses: no empty or repeated parameters, always in the same order.
        query = "&".join(
            part for part in (canonical, page_number and f"page={page_number}") if part
        )
        return HttpResponseRedirect(index_page.url + ("?" + query if query else ""))
    blocked = blocked_restrictions(request)
    number = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
    key = "library:listing:" + "|".join(
        [
            library_version(),
            get_language() or "",
            str(index_page.pk),
            ",".join(str(r.pk) for r in blocked),
            canonical,
            str(number),
        ]
    )
    # Visitors all see the same page for the same address: it is kept whole for them.
    visitor_key = _visitor_key(request, key, index_page.get_template(request))
    if visitor_key is not None and (html := cache.get(visitor_key)) is not None:
        return HttpResponse(with_csrf_token(request, html))
    listing = cache.get(key)
    if listing is None:
        listing = _listing(request, index_page, blocked, filters, number)
        cache.set(key, listing, LISTING_SECONDS)
    page = Paginator(range(listing["count"]), PAGE_SIZE).get_page(number)

    def items():
        """The page's library pages, read only when the listing's HTML is not cached."""
        found = LibraryPage.objects.select_related("region").in_bulk(listing["ids"])
        pages = [found[pk] for pk in listing["ids"] if pk in found]
        if filters.q:
            for item in pages:
                item.snippet = highlight(item.summary, filters.q)
        return pages

    may_see_readers = request.user.is_authenticated and reading_regions(request.user) is not False
    context = index_page.get_context(request)
    context.update(
        {
            "filters": filters,
            "facets": listing["facets"],
            "page_obj": page,
            "items": items,
            "listing_key": key,
            "listing_seconds": LISTING_SECONDS,
            "search_capped": listing["capped"],
            "page_query": canonical,
            "filters_hidden": [
                (key, getattr(filters, key))
                for key in FILTER_KEYS
                if key != "q" and getattr(filters, key)
            ],
            "may_propose": may_propose(request.user),
            "reading": (
                cache.get_or_set("library:reading-totals", reading_totals, READING_TOTALS_SECONDS)
                if may_see_readers
                else None
            ),
            "may_see_readers": may_see_readers,
        }
    )
    if visitor_key is None:
        return TemplateResponse(request, index_page.get_template(request), context)
    html = render_to_string(
        index_page.get_template(request), {**context, "csrf_token": CSRF_PLACEHOLDER}, request
    )
    cache.set(visitor_key, html, LISTING_SECONDS)
    return HttpResponse(with_csrf_token(request, html))


def _visitor_key(request, listing_key: str, template: str) -> str | None:
    """Where a visitor's whole index page is kept, or None for a signed-in reader (their name
    and menu are on it) and for a visitor with a message waiting to be shown."""
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    zone = timezone.get_current_timezone_name()
    which = f"{listing_key}|{zone}|{template}|{request.get_full_path()}"
    return "library:visitor-page:" + hashlib.sha256(which.encode()).hexdigest()


def _listing(request, index_page, blocked, filters: Filters, number: int) -> dict:
    """What one page of the index shows, as plain data to cache: how many pages match, the
    ids on page ``number`` in order, the facets and whether the search was capped."""
    base = readable(request, LibraryPage.objects.child_of(index_page), blocked)
    ranked = search_ids(base, filters.q) if filters.q else None
    if ranked is None:
        # Topic and group filters match one slug each, so no page comes twice: no DISTINCT,
        # which would make PostgreSQL sort every matching row with all its columns.
        matching = filters.apply(base).order_by("-first_published_at", "-pk")
        page = Paginator(matching.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    else:
        # Pages follow relevance: the filtered hits keep the search's order, then are paged.
        base = base.filter(pk__in=ranked)
        matching = set(filters.apply(base).values_list("pk", flat=True))
        page = Paginator([pk for pk in ranked if pk in matching], PAGE_SIZE).get_page(number)
    return {
        "count": page.paginator.count,
        "ids": list(page.object_list),
        "facets": facets(filters, base),
        "capped": ranked is not None and len(ranked) == SEARCH_LIMIT,
    }


def library_version() -> str:
    """The version of what the library lists (lms.versions), replaced whenever that may have
    changed (cms.signals). Cached listings carry it in their keys, so a change makes them all
    stale at once."""
    return current([LIBRARY])


def library_changed() -> None:
    bump([LIBRARY])


def related_pages(page, limit: int = 4):
    """Other live public pages sharing a topic or the region, those sharing both first."""
    topic_ids = list(page.topics.values_list("pk", flat=True))
    shares_topic = Q(topics__in=topic_ids)
    return (
        LibraryPage.objects.live()
        .public()
        .sibling_of(page, inclusive=False)
        .filter(shares_topic | Q(region_id=page.region_id))
        .annotate(
            shared=Count("topics", filter=shares_topic, distinct=True)
            + Count("pk", filter=Q(region_id=page.region_id), distinct=True)
        )
        .select_related("region")
        .order_by("-shared", "-first_published_at")[:limit]
    )


def reading_record(page, user) -> None:
    """Count a signed-in reader once per page (with their region); visitors are not counted."""
    if user.is_authenticated:
        Reading.objects.bulk_create(
            [Reading(page_id=page.pk, user_id=user.pk, region_id=user.region_id)],
            ignore_conflicts=True,
        )


def reading_totals(pages=None) -> dict:
    """How many registered readers from how many regions read ``pages`` (all by default)."""
    readings = Reading.objects.all() if pages is None else Reading.objects.filter(page__in=pages)
    return readings.aggregate(
        readers=Count("user", distinct=True), regions=Count("region", distinct=True)
    )


def reading_regions(user):
    """Whose reading ``user`` may see: None for every region (editors, the programme admin),
    a coordinator's regions, or False for nobody."""
    if user.has_role(Role.EDITOR, Role.ADMIN):
        return None
    if user.has_role(Role.COORDINATOR):
        return user.coordinated_region_ids()
    return False


def reading_by_region(region_ids=None):
    """Per region (all, or ``region_ids``): how many registered readers, how many of them
    managers, and how many pages they read. One query."""
    readings = Reading.objects.filter(region__isnull=False)
    if region_ids is not None:
        readings = readings.filter(region_id__in=region_ids)
    return (
        readings.annotate(region_title=Region.title_expression())
        .values("region__code", "region_title")
        .annotate(
            readers=Count("user", distinct=True),
            managers=Count(
                "user", filter=Q(user__role_assignments__role=Role.MANAGER), distinct=True
            ),
            pages=Count("page", distinct=True),
        )
        .order_by("-readers", "region_title")
    )


def most_read(region_ids=None, limit: int = 10) -> list:
    """The live library pages read by the most registered readers (from ``region_ids`` if
    given), each with ``readers``. Counted from the readings, not over every page: a reader
    reads a page once (``reading_once_per_reader``), so readers are rows."""
    readings = Reading.objects.filter(page__live=True)
    if region_ids is not None:
        readings = readings.filter(region_id__in=region_ids)
    top = list(
        readings.values_list("page_id")
        .annotate(readers=Count("*"))
        .order_by("-readers", "page__title", "page_id")[:limit]
    )
    pages = LibraryPage.objects.select_related("region").in_bulk([pk for pk, _n in top])
    for pk, readers in top:
        pages[pk].readers = readers
    return [pages[pk] for pk, _n in top]
