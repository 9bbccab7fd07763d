from django.urls import path

from . import views

app_name = "cascade"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("reach.<str:fmt>", views.programme_export, name="programme_export"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("regions/<str:code>/reach.<str:fmt>", views.region_export, name="region_export"),
    path("regions/<str:code>/people/", views.region_people, name="region_people"),
    path("regions/<str:code>/people/merge/", views.people_merge, name="people_merge"),
    path("people/<int:pk>/unmerge/", views.person_unmerge, name="person_unmerge"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:team_pk>/events/new/", views.event_create, name="event_create"),
    path("memberships/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/participants/", views.event_participants, name="event_participants"),
    path("events/<int:pk>/report/", views.event_report, name="event_report"),
    path("events/<int:pk>/review/", views.event_review, name="event_review"),
    path("files/<int:pk>/", views.event_file, name="event_file"),
]
