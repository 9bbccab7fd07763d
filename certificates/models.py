"""Certificates: templates, serial numbers, issued certificates with their PDF, and the audit
trail of what happened to each."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from cascade.models import Participation
from courses.models import Enrollment
from lms.models import ChoiceLabelsMixin, Region
from lms.names import Gender, NameField
from lms.storage import private_storage

DEFAULT_BODY = (
    "настоящим подтверждается, что\n{holder}\nпрошёл(а) обучение по программе\n«{subject}»\n"
    "в объёме {hours} с {date_from} по {date_to}"
)
# Without {holder} the body goes into the standard statement, which adds the event's title,
# hours and dates (certificates.pdf.statement_lines).
CASCADE_BODY = "принял(а) участие в обучающем мероприятии команды трансляторов программы"


class CertificateTemplate(ChoiceLabelsMixin, models.Model):
    """How a certificate looks. Issued certificates keep their PDF exactly as issued, so
    editing a template never changes them."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Обучение по курсу")
        CASCADE = "cascade", _("Участие в каскадном мероприятии")

    name = models.CharField(_("название шаблона"), max_length=200)
    kind = models.CharField(_("для чего"), max_length=20, choices=Kind.choices, default=Kind.COURSE)
    landscape = models.BooleanField(_("альбомная ориентация"), default=True)
    heading = models.CharField(_("заголовок"), max_length=100, default="СЕРТИФИКАТ")
    body = models.TextField(
        _("текст"),
        default=DEFAULT_BODY,
        help_text=_("Подстановки: {holder}, {subject}, {hours}, {date_from}, {date_to}."),
    )
    organisation_line = models.CharField(
        _("организатор"),
        max_length=300,
        default="Программа повышения квалификации специалистов органов опеки и попечительства",
    )
    logo = models.ImageField(_("логотип"), upload_to="certificate-templates/", blank=True)
    background = models.ImageField(_("фон"), upload_to="certificate-templates/", blank=True)
    is_default = models.BooleanField(_("по умолчанию"), default=False)

    class Meta:
        verbose_name = _("шаблон сертификата")
        verbose_name_plural = _("шаблоны сертификатов")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_default=True), name="one_default_template_per_kind"
            )
        ]

    def __str__(self):
        return self.name


class TemplateSignatory(models.Model):
    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="signatories"
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    name = NameField(_("ФИО"), max_length=200)
    position = models.CharField(_("должность"), max_length=300)
    signature = models.ImageField(
        _("подпись (изображение)"), upload_to="certificate-templates/", blank=True
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("подписант")
        verbose_name_plural = _("подписанты (до трёх)")

    def __str__(self):
        return self.name


class SerialCounter(models.Model):
    """The last number issued in a series and year: locked while the next one is taken."""

    series = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="serial_counter")]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last}"


def new_verification_code() -> str:
    """22 random URL-safe characters (128 bits): codes cannot be guessed or enumerated."""
    return secrets.token_urlsafe(16)


class Certificate(ChoiceLabelsMixin, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Готовится")
        VALID = "valid", _("Действителен")
        REVOKED = "revoked", _("Отозван")

    serial = models.CharField(_("номер"), max_length=30, unique=True)
    code = models.CharField(
        _("код проверки"), max_length=40, unique=True, default=new_verification_code
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("владелец"),
    )
    holder_name = NameField(_("ФИО в сертификате"), max_length=300)
    holder_gender = models.CharField(
        _("форма слов о владельце"), max_length=1, choices=Gender.choices, default=Gender.NEUTRAL
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("регион")
    )
    organisation_name = NameField(_("организация"), max_length=300, blank=True)
    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    participation = models.ForeignKey(
        Participation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("участие в каскадном мероприятии"),
    )
    subject = models.CharField(_("программа"), max_length=500)
    hours = models.PositiveSmallIntegerField(_("академических часов"))
    date_from = models.DateField(_("начало обучения"))
    date_to = models.DateField(_("окончание обучения"))
    issued_on = models.DateField(_("дата выдачи"), default=now)
    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.PROTECT, verbose_name=_("шаблон")
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(storage=private_storage, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)
    revoke_reason = models.TextField(_("причина отзыва"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("заменён сертификатом"),
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    # When generation was last handed to Celery (certificates_requeue hands it again later).
    queued_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("сертификат")
        verbose_name_plural = _("сертификаты")
        constraints = [
            # One live certificate per completed enrolment; a revoked one may be re-issued.
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(enrollment__isnull=False) & ~Q(status="revoked"),
                name="one_live_certificate_per_enrollment",
            ),
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(participation__isnull=False) & ~Q(status="revoked"),
                name="one_live_certificate_per_participation",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | ~Q(revoke_reason=""),
                name="revoked_certificate_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "region"]),
            # The register's order, whole (the admin) or per region (a coordinator).
            models.Index(fields=["created_at"], name="certificate_created"),
            models.Index(fields=["region", "created_at"], name="certificate_region_created"),
        ]

    def __str__(self):
        return f"{self.serial} — {self.holder_name}"


class CertificateEvent(ChoiceLabelsMixin, models.Model):
    """The audit trail: issued, e-mailed, revoked, re-issued; who and when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Заказан")
        GENERATED = "generated", _("Сформирован PDF")
        EMAILED = "emailed", _("Отправлен владельцу")
        REVOKED = "revoked", _("Отозван")
        REISSUED = "reissued", _("Выдан взамен")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.certificate.serial}: {self.get_kind_display()}"
