import zoneinfo
from urllib.parse import quote

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def reader_language(request) -> str:
    """The user's chosen language, else the language cookie, else Russian.

    The browser's Accept-Language is ignored on purpose: the platform is Russian first.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in LANGUAGE_CODES:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in LANGUAGE_CODES else settings.LANGUAGE_CODE


def reader_timezone(request) -> zoneinfo.ZoneInfo:
    user = getattr(request, "user", None)
    name = user.effective_timezone if user is not None and user.is_authenticated else None
    try:
        return zoneinfo.ZoneInfo(name or settings.DISPLAY_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE)


class UserLocaleMiddleware:
    """Activates the reader's time zone and language for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = reader_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        timezone.activate(reader_timezone(request))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


class SignedInGateMiddleware:
    """A check every signed-in request passes before reaching a page; ``gate`` returns a
    redirect to where the person must go first, or None. Account, consent and static pages stay
    reachable, so the person can do what the gate asks."""

    open_prefixes = ("/accounts/", "/static/", "/healthz", "/language/", "/consent/", "/calendar/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith(self.open_prefixes):
            response = self.gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    def gate(self, request):
        """Subclasses say where the person must go first; by default nowhere."""
        return None


MFA_CONFIRMED_SESSION_KEY = "lms:mfa-confirmed"


class StaffMfaRequiredMiddleware(SignedInGateMiddleware):
    """Coordinators, editors and admins must set up a second factor before anything else.

    Once a TOTP authenticator is found the session remembers it (no query per page);
    removing an authenticator forgets it (lms.signals).
    """

    def gate(self, request):
        user = request.user
        if request.session.get(MFA_CONFIRMED_SESSION_KEY) or not user.has_role(
            *settings.LMS_MFA_REQUIRED_ROLES
        ):
            return None
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            request.session[MFA_CONFIRMED_SESSION_KEY] = True
            return None
        messages.warning(
            request,
            _(
                "Для вашей роли обязательна двухфакторная защита входа. "
                "Подключите приложение-аутентификатор, чтобы продолжить."
            ),
        )
        return redirect("mfa_activate_totp")


class ConsentRequiredMiddleware(SignedInGateMiddleware):
    """People must have agreed to the current consent text before using the platform.

    Covers accounts created by a coordinator's list and new versions of the text. The version a
    person has agreed to is remembered in the session, so the check costs no query after the
    first page.
    """

    def gate(self, request):
        from .services import consent_text_current

        current = consent_text_current()
        if request.session.get("consent_version") == current.version:
            return None
        if not request.user.consents.filter(text=current).exists():
            return redirect(f"{reverse('consent_accept')}?next={quote(request.get_full_path())}")
        request.session["consent_version"] = current.version
        return None
