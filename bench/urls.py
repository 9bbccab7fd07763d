"""The site's URLs plus ``/bench/ok``: the framework floor every page is compared with."""

from django.http import HttpResponse
from django.urls import include, path


def ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/ok", ok),
    path("", include("lms.urls")),
]
