import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.snippets.models import register_snippet

from lms.models import Region

from .documents import may_download
from .models import PracticePage, TargetGroup, Topic

PRACTICES_PER_PAGE = 25

register_snippet(Topic)
register_snippet(TargetGroup)


@hooks.register("before_serve_document")
def document_access(document, request):
    """Documents go only to readers of a page that uses them (cms/documents.py)."""
    if not may_download(request, document):
        raise Http404


class PracticeFilterSet(PageListingViewSet.filterset_class):
    """What an editor looks for among thousands of practices: a region, a year, a topic."""

    region = django_filters.ModelChoiceFilter(label=_("Регион"), queryset=Region.objects.all())
    year = django_filters.NumberFilter(label=_("Год"))
    topics = django_filters.ModelChoiceFilter(label=_("Тема"), queryset=Topic.objects.all())

    class Meta:
        model = PracticePage
        fields = []


class PracticeIndexView(IndexView):
    paginate_by = PRACTICES_PER_PAGE

    def get_base_queryset(self):
        # The name by annotation: the rows become specific pages, which a join would not reach.
        return super().get_base_queryset().annotate(region_title=Region.title_expression())


class PracticeListing(PageListingViewSet):
    """«Практики» in the admin menu: every practice, whichever index page holds it, filtered
    and paged 25 at a time. The library's index in the page explorer holds thousands of
    children, which editors would otherwise page through 50 at a time."""

    model = PracticePage
    index_view_class = PracticeIndexView
    icon = "doc-full"
    menu_label = _("Практики")
    add_to_admin_menu = True
    menu_order = 150
    filterset_class = PracticeFilterSet
    columns = [
        *PageListingViewSet.columns,
        Column("region", label=_("Регион"), accessor="region_title"),
        Column("year", label=_("Год"), sort_key="year"),
    ]


@hooks.register("register_admin_viewset")
def practice_listing():
    return PracticeListing("practices")
