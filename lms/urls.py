from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views

# Both admin sites sign people in through allauth only (its rate limits and MFA apply).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Администрирование программы"

handler403 = "lms.views.permission_denied"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtail_login_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("language/", views.language_set, name="language_set"),
    path("courses/", include("courses.urls")),
    path("supervision/", include("supervision.urls")),
    path("cascade/", include("cascade.urls")),
    path("", include("certificates.urls")),
    path("", include("cms.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("profile/my-data.json", views.personal_data_export, name="personal_data_export"),
    path("profile/delete/", views.deletion_request, name="deletion_request"),
    path("profile/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("consent/", views.consent_text, name="consent_current"),
    path("consent/accept/", views.consent_accept, name="consent_accept"),
    path("consent/<str:version>/", views.consent_text, name="consent_text"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))
