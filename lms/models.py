"""People and places the whole platform shares: regions, organisations, users and their roles,
personal-data consent, the security log, and the personal calendar feed's token."""

import functools
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, NullIf
from django.utils.encoding import force_str
from django.utils.timezone import now
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .names import Gender, NameField, gender_from_patronymic
from .versions import KeptQuerySet


@functools.cache
def _choice_labels(field) -> dict:
    return dict(field.flatchoices)


class ChoiceLabelsMixin:
    """``get_FOO_display()`` from a table built once per field.

    Django rebuilds the table on every call and hashes each label, and a label is a lazy
    translation, so every call translates every choice: on a 50-row roster that was a tenth of
    the page. The table keeps the lazy labels, so the reader's language still decides.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(value, value), strings_only=True)


class Region(models.Model):
    """A federal subject of Russia (all 89 are loaded by a data migration)."""

    code = models.CharField(_("код"), max_length=2, unique=True)
    name = models.CharField(_("название"), max_length=120, unique=True)
    name_en = models.CharField(_("название по-английски"), max_length=120, blank=True)
    timezone = models.CharField(_("часовой пояс"), max_length=64)
    in_programme = models.BooleanField(
        _("регион программы"),
        default=False,
        help_text=_("Один из семи регионов, где программа обучает специалистов."),
    )

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        """The name in the reader's language (Russian unless English is active)."""
        if self.name_en and get_language() == "en":
            return self.name_en
        return self.name

    @staticmethod
    def title_expression(path: str = "region"):
        """`title` in a query, for lists built with values() and their ordering: the region
        reached through ``path`` named in the reader's language."""
        name = models.F(f"{path}__name")
        if get_language() != "en":
            return name
        return Coalesce(NullIf(models.F(f"{path}__name_en"), models.Value("")), name)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("Орган опеки и попечительства")
        INSTITUTION = "institution", _("Учреждение")
        OTHER = "other", _("Другая организация")

    name = NameField(_("название"), max_length=300)
    kind = models.CharField(_("тип"), max_length=20, choices=Kind.choices, default=Kind.AUTHORITY)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("регион")
    )

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_in_region")
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    SPECIALIST = "specialist", _("Специалист")
    TRAINER = "trainer", _("Тренер, супервизор")
    COORDINATOR = "coordinator", _("Региональный координатор")
    MANAGER = "manager", _("Управленец")
    EDITOR = "editor", _("Редактор")
    ADMIN = "admin", _("Администратор программы")


# Roles a person may take for themselves when signing up; the rest are given by an admin.
SELF_SERVICE_ROLES = (Role.SPECIALIST, Role.MANAGER)


class UserManager(BaseUserManager.from_queryset(KeptQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("E-mail is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: e-mail is the login. Roles are RoleAssignment rows, see ``has_role``."""

    email = models.EmailField(_("e-mail"), unique=True)
    last_name = NameField(_("фамилия"), max_length=100)
    first_name = NameField(_("имя"), max_length=100)
    middle_name = NameField(_("отчество"), max_length=100, blank=True)
    gender = models.CharField(
        _("форма слов в документах"),
        max_length=1,
        choices=Gender.choices,
        blank=True,
        help_text=_("Как о вас пишут в сертификате. Пусто: по отчеству."),
    )
    position = models.CharField(_("должность"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("организация"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("регион"),
    )
    phone = models.CharField(_("телефон"), max_length=30, blank=True)
    timezone = models.CharField(
        _("часовой пояс"),
        max_length=64,
        blank=True,
        help_text=_("Пусто: часовой пояс вашего региона."),
    )
    language = models.CharField(
        _("язык"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_staff = models.BooleanField(_("доступ к администрированию Django"), default=False)
    is_active = models.BooleanField(_("активен"), default=True)
    date_joined = models.DateTimeField(_("дата регистрации"), default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["last_name", "first_name"]

    class Meta:
        ordering = ["last_name", "first_name", "middle_name"]
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        """ФИО in the Russian order: фамилия, имя, отчество."""
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def document_gender(self) -> str:
        """The form of words about this person in documents: their own choice, else what
        their patronymic suggests (lms.names)."""
        return self.gender or gender_from_patronymic(self.middle_name)

    def get_short_name(self):
        return " ".join(p for p in (self.first_name, self.middle_name) if p) or self.email

    @property
    def effective_timezone(self) -> str:
        """The zone every time is shown in: the user's own choice, else their region's."""
        if self.timezone:
            return self.timezone
        if self.region_id:
            return self.region.timezone
        return settings.DISPLAY_TIME_ZONE

    # Roles. The assignments are read once and kept on the instance, which the auth backend
    # keeps between requests (lms.auth_backends).
    def role_rows(self) -> list[tuple[str, int | None]]:
        if not hasattr(self, "_role_cache"):
            self._role_cache = list(self.role_assignments.values_list("role", "region_id"))
        return self._role_cache

    @property
    def roles(self) -> set[str]:
        if self.is_superuser:
            return {Role.ADMIN, *(role for role, _region in self.role_rows())}
        return {role for role, _region in self.role_rows()}

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of ``roles`` (the programme admin holds them all)."""
        mine = self.roles
        return Role.ADMIN in mine or any(role in mine for role in roles)

    def coordinated_region_ids(self) -> set[int]:
        return {region for role, region in self.role_rows() if role == Role.COORDINATOR}


class RoleAssignment(ChoiceLabelsMixin, models.Model):
    """A role held by a user; a coordinator's role is scoped to one region per row.

    Give and take roles through ``lms.services.role_grant`` / ``role_revoke`` only: they keep
    the admin sites' permissions in step and write the security log.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("регион")
    )
    granted_at = models.DateTimeField(_("назначена"), default=now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кем назначена"),
    )

    class Meta:
        verbose_name = _("роль пользователя")
        verbose_name_plural = _("роли пользователей")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"], name="role_unique_per_region"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(region__isnull=True),
                name="role_unique_without_region",
            ),
            models.CheckConstraint(
                condition=~Q(role="coordinator") | Q(region__isnull=False),
                name="coordinator_has_region",
            ),
        ]

    def __str__(self):
        if self.region_id:
            return f"{self.get_role_display()} ({self.region})"
        return str(self.get_role_display())


class ConsentText(models.Model):
    """A published version of the personal-data consent text (152-FZ). Never edited once
    someone has agreed to it: a change is a new version."""

    version = models.CharField(_("версия"), max_length=20, unique=True)
    title = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"))
    published_at = models.DateTimeField(_("опубликован"), default=now)

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"
        verbose_name = _("текст согласия")
        verbose_name_plural = _("тексты согласия")

    def __str__(self):
        return f"{self.title} ({self.version})"


class ConsentRecord(models.Model):
    """One person's consent to one version of the text: when and from where it was given."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="records")
    given_at = models.DateTimeField(_("дано"), default=now)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("согласие на обработку персональных данных")
        verbose_name_plural = _("согласия на обработку персональных данных")
        constraints = [
            models.UniqueConstraint(fields=["user", "text"], name="consent_once_per_version")
        ]

    def __str__(self):
        return f"{self.user} — {self.text.version}"


class SecurityEvent(models.Model):
    """Who did what, when and from where, for events an operator must be able to trace.

    Never holds passwords or case texts: ``detail`` takes short identifiers only.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Вход")
        LOGIN_FAILED = "login_failed", _("Неудачный вход")
        LOGOUT = "logout", _("Выход")
        ROLE_GRANTED = "role_granted", _("Роль назначена")
        ROLE_REVOKED = "role_revoked", _("Роль снята")
        ACCESS_DENIED = "access_denied", _("Отказ в доступе")
        MFA_CHANGED = "mfa_changed", _("Изменена двухфакторная защита")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Учётная запись отключена")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Сертификат отозван")

    kind = models.CharField(_("событие"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("когда"), default=now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("пользователь"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    detail = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("событие безопасности")
        verbose_name_plural = _("журнал безопасности")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC {self.get_kind_display()}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a person's calendar feed URL (``/calendar/<token>.ics``).

    Calendar apps cannot sign in, so whoever has the URL reads the feed: ``reset`` replaces
    the token and the old URL stops working.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("пользователь"),
    )
    token = models.CharField(_("ключ"), max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("создан"), default=now)

    class Meta:
        verbose_name = _("ключ календаря")
        verbose_name_plural = _("ключи календаря")

    def __str__(self):
        return str(self.user)

    @classmethod
    def for_user(cls, user) -> "CalendarToken":
        return cls.objects.get_or_create(user=user)[0]

    def reset(self) -> None:
        self.token = new_calendar_token()
        self.created_at = now()
        self.save(update_fields=["token", "created_at"])


class DeletionRequest(models.Model):
    """A person asked for their account and data to be deleted (152-FZ). The programme admin
    carries it out: records the law requires to keep (issued certificates) stay."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ожидает")
        DONE = "done", _("Выполнен")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(_("e-mail"))
    requested_at = models.DateTimeField(_("когда"), default=now)
    comment = models.TextField(_("комментарий"), blank=True, max_length=2000)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.OPEN
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("запрос на удаление данных")
        verbose_name_plural = _("запросы на удаление данных")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="open"), name="one_open_deletion_request"
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"
