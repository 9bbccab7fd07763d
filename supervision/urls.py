from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("calendar/", views.calendar, name="calendar"),
    path("new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/book/", views.book, name="book"),
    path("sessions/<int:pk>/move/", views.session_move, name="session_move"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/note/", views.note_save, name="note_save"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/case/", views.case_edit, name="case_edit"),
    path("bookings/<int:pk>.ics", views.booking_ics, name="booking_ics"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
]
