from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import calendar
from .celery import app as celery_app
from .dashboard import panels_for
from .forms import ProfileForm
from .middleware import LANGUAGE_CODES
from .models import CalendarToken, ConsentText, DeletionRequest, Role, SecurityEvent
from .personal_data import export_for
from .services import consent_record, consent_text_current, security_event_log


@login_required
def dashboard(request):
    roles = [Role(role).label for role in Role.values if role in request.user.roles]
    return render(
        request,
        "lms/dashboard.html",
        {"now": timezone.now(), "user_role_labels": roles, "panels": panels_for(request)},
    )


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Профиль сохранён."))
            return redirect("profile")
        messages.error(request, _("Профиль не сохранён: исправьте отмеченные поля."))
    else:
        form = ProfileForm(instance=user)
    consents = user.consents.select_related("text")
    feed_url = request.build_absolute_uri(
        reverse("calendar_feed", args=[CalendarToken.for_user(user).token])
    )
    return render(
        request,
        "lms/profile.html",
        {
            "form": form,
            "consents": consents,
            "calendar_feed_url": feed_url,
            "calendar_webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        },
    )


@require_safe
def calendar_feed(request, token):
    """The person's events as an .ics feed. No sign-in: calendar apps cannot sign in, the
    secret token in the URL is the credential."""
    user = get_object_or_404(
        CalendarToken.objects.select_related("user__region", "user__organisation"),
        token=token,
        user__is_active=True,
    ).user
    response = calendar.ics_response(
        calendar.render_ics(user, calendar.events_for(user)), filename="opeka.ics", inline=True
    )
    patch_cache_control(response, private=True, max_age=300)
    return response


@login_required
@require_POST
def calendar_reset(request):
    CalendarToken.for_user(request.user).reset()
    messages.success(request, _("Ссылка на календарь обновлена: старая больше не работает."))
    return redirect("profile")


def consent_text(request, version=None):
    """The consent text: the current version, or the one a person agreed to."""
    if version is None:
        text = ConsentText.objects.latest()
    else:
        text = get_object_or_404(ConsentText, version=version)
    return render(request, "lms/consent.html", {"text": text})


@require_POST
def language_set(request):
    """Switch the interface language; kept in the profile for signed-in users."""
    language = request.POST.get("language")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if language in LANGUAGE_CODES:
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.LMS_HEALTHZ_BROKER_TIMEOUT)
    except Exception:  # noqa: BLE001 - any failure means the broker is not usable
        return "down"
    return "ok"


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001
        return "down"
    return "ok"


def _cache_status() -> str:
    cache = caches["default"]
    if not hasattr(cache, "reachable"):
        return "local"  # the process's own memory: always there
    return "ok" if cache.reachable() else "down"


@never_cache
def healthz(request):
    """For operators and load balancers: 200 when the database and the broker answer. Without
    the cache the site still serves, slower: "degraded", still 200, so a load balancer keeps
    sending traffic while operators restore it."""
    status = {
        "database": _database_status(),
        "broker": _broker_status(),
        "cache": _cache_status(),
    }
    if "down" in (status["database"], status["broker"]):
        overall, code = "down", 503
    elif status["cache"] == "down":
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return JsonResponse({"status": overall, **status}, status=code)


def permission_denied(request, exception=None):
    security_event_log(
        SecurityEvent.Kind.ACCESS_DENIED,
        request=request,
        user=request.user if request.user.is_authenticated else None,
        path=request.path[:200],
    )
    return render(request, "403.html", status=403)


@login_required
def consent_accept(request):
    """Agree to the current consent text (people whose account was created for them, or after
    the text changed)."""
    text = consent_text_current()
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("dashboard")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("dashboard")
    error = None
    if request.method == "POST":
        if request.POST.get("consent") == "on" and request.POST.get("version") == text.version:
            consent_record(user=request.user, text=text, request=request)
            request.session["consent_version"] = text.version
            messages.success(request, _("Спасибо, согласие сохранено."))
            return redirect(next_url)
        error = _("Без согласия на обработку персональных данных пользоваться платформой нельзя.")
    return render(
        request, "lms/consent_accept.html", {"text": text, "next": next_url, "error": error}
    )


@login_required
def personal_data_export(request):
    """Everything the platform keeps about the person asking, and nothing about anyone else."""
    response = JsonResponse(
        export_for(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
@require_POST
def deletion_request(request):
    _request, created = DeletionRequest.objects.get_or_create(
        user=request.user,
        status=DeletionRequest.Status.OPEN,
        defaults={"email": request.user.email, "comment": request.POST.get("comment", "")[:2000]},
    )
    if created:
        messages.success(
            request,
            _(
                "Запрос на удаление данных отправлен администратору "
                "программы. Ответ придёт на %(email)s."
            )
            % {"email": request.user.email},
        )
    else:
        messages.info(request, _("Ваш запрос на удаление данных уже рассматривается."))
    return redirect("profile")


@require_safe
def favicon(request):
    """Browsers and bots ask for /favicon.ico whatever the page says: send them to the icon
    among the static files instead of a logged 404."""
    response = redirect(static("favicon.ico"), permanent=True)
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response
