"""Atom and RSS feeds of new recommendations and practices (public pages only)."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import LibraryIndexPage, LibraryPage

FEED_SIZE = 30


class LibraryRssFeed(Feed):
    title = _("Библиотека: новые рекомендации и практики")
    description = _("Методические рекомендации и лучшие практики органов опеки и попечительства.")

    def link(self):
        index = LibraryIndexPage.objects.live().first()
        return index.url if index else "/"

    def items(self):
        return (
            LibraryPage.objects.live()
            .public()
            .select_related("region")
            .order_by("-first_published_at")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [item.get_kind_display(), str(item.region)]


class LibraryAtomFeed(LibraryRssFeed):
    feed_type = Atom1Feed
    subtitle = LibraryRssFeed.description
