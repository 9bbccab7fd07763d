"""Writes about people: roles, consent and the security log. Keyword-only, atomic."""

import logging

from allauth.account.adapter import get_adapter
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .links import absolute
from .models import ConsentRecord, ConsentText, Role, RoleAssignment, SecurityEvent, User

security_log = logging.getLogger("lms.security")

# Wagtail's own group whose members may edit, moderate and publish pages.
EDITORS_GROUP = "Moderators"


def client_ip(request) -> str | None:
    """The client's address as allauth sees it (honours ALLAUTH_TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def security_event_log(kind, *, request=None, user=None, actor=None, **detail) -> SecurityEvent:
    """Record a security event in the database and the ``lms.security`` logger."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = SecurityEvent.objects.create(
        kind=kind, user=user, actor=actor, ip_address=client_ip(request), detail=detail
    )
    security_log.info(
        "%s user=%s actor=%s ip=%s %s",
        kind,
        user.pk if user else "-",
        actor.pk if actor else "-",
        event.ip_address or "-",
        detail,
    )
    return event


def _sync_admin_access(user: User) -> None:
    """Keep the admin sites' own flags in step with the roles the user holds."""
    roles = {role for role, _region in user.role_assignments.values_list("role", "region")}
    is_admin = Role.ADMIN in roles
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    editors, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    if Role.EDITOR in roles:
        user.groups.add(editors)
    else:
        user.groups.remove(editors)
    user.__dict__.pop("_role_cache", None)


@transaction.atomic
def role_grant(*, user: User, role: str, region=None, by: User | None = None, request=None):
    """Give ``user`` the ``role`` (a coordinator's in ``region``); granting twice is harmless."""
    if role == Role.COORDINATOR and region is None:
        raise ValidationError(_("Для роли координатора нужно указать регион."))
    if role != Role.COORDINATOR:
        region = None
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, defaults={"granted_by": by}
    )
    if created:
        _sync_admin_access(user)
        security_event_log(
            SecurityEvent.Kind.ROLE_GRANTED,
            request=request,
            user=user,
            actor=by,
            role=str(role),
            region=region.code if region else None,
        )
    return assignment


@transaction.atomic
def role_revoke(*, user: User, role: str, region=None, by: User | None = None, request=None):
    deleted, _rows = RoleAssignment.objects.filter(user=user, role=role, region=region).delete()
    if deleted:
        _sync_admin_access(user)
        security_event_log(
            SecurityEvent.Kind.ROLE_REVOKED,
            request=request,
            user=user,
            actor=by,
            role=str(role),
            region=region.code if region else None,
        )


def consent_text_current() -> ConsentText:
    """The version in force, cached for a minute: every signed-in request asks for it."""
    from django.core.cache import cache

    return cache.get_or_set("lms:consent-current", ConsentText.objects.latest, 60)


def consent_record(*, user: User, text: ConsentText, request=None) -> ConsentRecord:
    record, _created = ConsentRecord.objects.get_or_create(
        user=user,
        text=text,
        defaults={
            "ip_address": client_ip(request),
            "user_agent": (request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
        },
    )
    return record


def user_invite(*, user: User, request=None, context: dict | None = None) -> None:
    """E-mail a person whose account somebody else created a link to set their password.

    The link is allauth's password-reset link, valid for PASSWORD_RESET_TIMEOUT; after that the
    person asks for a new one with «Забыли пароль?».
    """
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.urls import reverse

    from .notify import notify

    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    notify(
        user,
        "lms/email/invitation",
        {
            **(context or {}),
            "link": absolute(path),
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )
