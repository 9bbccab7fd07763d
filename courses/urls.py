from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("teach/", views.teach, name="teach"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("cohorts/<int:pk>/apply/", views.cohort_apply, name="cohort_apply"),
    path("cohorts/<int:pk>/roster/", views.cohort_roster, name="cohort_roster"),
    path("cohorts/<int:pk>/import/", views.cohort_import, name="cohort_import"),
    path("cohorts/<int:cohort_pk>/sessions/new/", views.session_edit, name="session_create"),
    path(
        "cohorts/<int:pk>/attendance.<str:fmt>",
        views.attendance_export,
        name="attendance_export",
    ),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("enrollments/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment_withdraw"),
    path("enrollments/<int:pk>/decide/", views.enrollment_decide, name="enrollment_decide"),
    path("enrollments/<int:pk>/move/", views.enrollment_move, name="enrollment_move"),
    path("modules/<int:pk>/studied/", views.module_studied, name="module_studied"),
    path("<slug:slug>/", views.course_detail, name="course_detail"),
]
