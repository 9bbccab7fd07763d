from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
    path("certificates/", views.mine, name="mine"),
    path("certificates/register/", views.register, name="register"),
    path("certificates/register.<str:fmt>", views.register_export, name="register_export"),
    path("certificates/<int:pk>/download/", views.download, name="download"),
    path("certificates/<int:pk>/manage/", views.certificate_manage, name="manage"),
    path("certificates/cohorts/<int:pk>/issue/", views.cohort_issue, name="cohort_issue"),
    path("certificates/cohorts/<int:pk>/zip/", views.cohort_zip, name="cohort_zip"),
    path("certificates/cascade/<int:pk>/zip/", views.event_zip, name="event_zip"),
]
