"""Test data in one place: people with roles, regions from the data migration."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from lms import services
from lms.models import Organisation, Region, User

DEFAULT_PASSWORD = "Пароль-для-тестов-2026"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def organisation(
    region_code: str = "54", name: str = "Отдел опеки и попечительства"
) -> Organisation:
    return Organisation.objects.get_or_create(region=region(region_code), name=name)[0]


def make_user(
    email: str,
    *,
    role: str | None = None,
    region_code: str = "54",
    password: str = DEFAULT_PASSWORD,
    totp: bool = False,
    **fields,
) -> User:
    """A verified user of ``region_code`` with ``role`` (a coordinator's in that region)."""
    fields.setdefault("last_name", "Иванова")
    fields.setdefault("first_name", "Мария")
    fields.setdefault("middle_name", "Петровна")
    user = User.objects.create_user(
        email=email,
        password=password,
        region=region(region_code),
        organisation=organisation(region_code),
        **fields,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    services.consent_record(user=user, text=services.consent_text_current())
    if role:
        services.role_grant(
            user=user, role=role, region=user.region if role == "coordinator" else None
        )
    if totp:
        TOTP.activate(user, generate_totp_secret())
    return user


def totp_secret(user: User) -> str:
    from allauth.mfa.utils import decrypt

    return decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
