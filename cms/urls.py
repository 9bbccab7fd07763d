from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from .feeds import LibraryAtomFeed, LibraryRssFeed

urlpatterns = [
    path("library.atom", LibraryAtomFeed(), name="library_feed"),
    path("library.rss", LibraryRssFeed(), name="library_rss"),
    path("sitemap.xml", sitemap, name="sitemap"),
]
