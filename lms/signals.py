"""Receivers that write sign-in and MFA events to the security log, that replace the version of
the site's pages (lms.versions.PAGES) when any page changes, and that make everything kept stale
after ``migrate`` (lms.versions.BULK: a data migration's writes reach no other receiver)."""

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from wagtail.models import COMMENTS_RELATION_NAME, Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .middleware import MFA_CONFIRMED_SESSION_KEY
from .models import SecurityEvent, User
from .services import security_event_log
from .versions import BULK, PAGES, bump


@receiver(auth_signals.user_logged_in)
def log_login(sender, request, user, **kwargs):
    security_event_log(SecurityEvent.Kind.LOGIN, request=request, user=user, actor=user)


@receiver(auth_signals.user_logged_out)
def log_logout(sender, request, user, **kwargs):
    if user is not None:
        security_event_log(SecurityEvent.Kind.LOGOUT, request=request, user=user, actor=user)


@receiver(auth_signals.user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password; only the e-mail that was tried is kept.
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    user = User.objects.filter(email__iexact=email).first() if email else None
    security_event_log(
        SecurityEvent.Kind.LOGIN_FAILED, request=request, user=user, actor=None, email=email
    )


def _log_mfa_change(action):
    def receiver_(sender, request, user, authenticator=None, **kwargs):
        if action != "added" and request is not None and hasattr(request, "session"):
            request.session.pop(MFA_CONFIRMED_SESSION_KEY, None)
        security_event_log(
            SecurityEvent.Kind.MFA_CHANGED,
            request=request,
            user=user,
            actor=user,
            action=action,
            type=getattr(authenticator, "type", None),
        )

    return receiver_


for _signal, _action in (
    (mfa_signals.authenticator_added, "added"),
    (mfa_signals.authenticator_removed, "removed"),
    (mfa_signals.authenticator_reset, "reset"),
):
    _signal.connect(_log_mfa_change(_action), weak=False, dispatch_uid=f"lms-mfa-{_action}")


# What saving a draft writes on the page row: nothing a reader of the live site sees.
DRAFT_FIELDS = {
    COMMENTS_RELATION_NAME,
    "latest_revision_created_at",
    "draft_title",
    "latest_revision",
    "has_unpublished_changes",
}


@receiver([post_save, post_delete, page_published, page_unpublished, post_page_move])
def pages_changed(sender, update_fields=None, **kwargs):
    """Any page or site saved, deleted, published, unpublished or moved (each signal names
    the page's own class): what is kept under the pages' version is built again, in every
    process (lms.sites reads the version too). A draft saved
    (``save_revision``) changes only the page's draft fields, so it keeps what is kept."""
    if not (isinstance(sender, type) and issubclass(sender, (Page, Site))):
        return
    if update_fields and set(update_fields) <= DRAFT_FIELDS:
        return
    bump([PAGES])


@receiver(post_migrate, dispatch_uid="lms-migrated")
def migrated(sender, **kwargs):
    bump([BULK])
