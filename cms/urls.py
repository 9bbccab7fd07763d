from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from . import views
from .feeds import LibraryAtomFeed, LibraryRssFeed

urlpatterns = [
    path("library.atom", LibraryAtomFeed(), name="library_feed"),
    path("library.rss", LibraryRssFeed(), name="library_rss"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("library/propose/", views.proposal_create, name="library_propose"),
    path("library/proposals/", views.proposal_list, name="library_proposals"),
    path("library/proposals/<int:pk>/", views.proposal_edit, name="library_proposal_edit"),
    path("library/readers/", views.reading_report, name="library_readers"),
]
