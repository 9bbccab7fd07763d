"""Issuing certificates: one general service (a holder, what was completed, hours, dates, a
template), serial numbers without duplicates, PDF generation in Celery, revocation and re-issue
with an audit trail."""

import hashlib
import logging
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.timezone import localdate, now
from django.utils.translation import gettext as _

from cascade.models import Event, Participation
from cascade.services import is_member, manages_region
from courses.models import Enrollment
from lms.links import absolute
from lms.models import SecurityEvent
from lms.names import Gender, gender_from_patronymic
from lms.notify import notify
from lms.queueing import enqueue_on_commit, requeue_stale
from lms.services import security_event_log

from .models import (
    CASCADE_BODY,
    Certificate,
    CertificateEvent,
    CertificateTemplate,
    SerialCounter,
)

log = logging.getLogger(__name__)

SERIES = "ОП"
REQUEUE_BATCH = 500


class CertificateError(Exception):
    """A refusal the user should read: the message is already translated."""


def next_serial(year: int, series: str = SERIES) -> str:
    """The next number of the series and year, e.g. ОП-2026-000123. The counter row is locked
    while it is taken, so parallel issues never get the same number."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                SerialCounter.objects.get_or_create(series=series, year=year)
        except IntegrityError:
            pass  # created by a parallel transaction a moment ago
        counter = SerialCounter.objects.select_for_update().get(series=series, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{series}-{year}-{counter.last:06d}"


def default_template(kind: str = CertificateTemplate.Kind.COURSE) -> CertificateTemplate:
    template = CertificateTemplate.objects.filter(kind=kind, is_default=True).first()
    if template is None:
        defaults = {"name": str(CertificateTemplate.Kind(kind).label)}
        if kind == CertificateTemplate.Kind.CASCADE:
            defaults["body"] = CASCADE_BODY
        template, _created = CertificateTemplate.objects.get_or_create(
            kind=kind, is_default=True, defaults=defaults
        )
    return template


def verify_url(certificate: Certificate) -> str:
    return absolute(reverse("certificates:verify", args=[certificate.code]))


@transaction.atomic
def certificate_issue(
    *,
    holder_name: str,
    holder_gender: str = Gender.NEUTRAL,
    subject: str,
    hours: int,
    date_from,
    date_to,
    holder=None,
    enrollment: Enrollment | None = None,
    participation: Participation | None = None,
    template: CertificateTemplate | None = None,
    region=None,
    organisation_name: str = "",
    by=None,
) -> Certificate:
    """Issue a certificate; its PDF is generated in the background after the commit.
    For an enrolment or a cascade participation that already has a live certificate, that
    certificate is returned."""
    from .tasks import certificate_generate

    for field, value in (("enrollment", enrollment), ("participation", participation)):
        if value is not None:
            existing = (
                Certificate.objects.filter(**{field: value})
                .exclude(status=Certificate.Status.REVOKED)
                .first()
            )
            if existing:
                return existing
    certificate = Certificate.objects.create(
        serial=next_serial(localdate().year),
        holder=holder,
        holder_name=holder_name,
        holder_gender=holder_gender,
        subject=subject,
        hours=hours,
        date_from=date_from,
        date_to=date_to,
        enrollment=enrollment,
        participation=participation,
        template=template
        or default_template(
            CertificateTemplate.Kind.CASCADE if participation else CertificateTemplate.Kind.COURSE
        ),
        region=region,
        organisation_name=organisation_name,
    )
    CertificateEvent.objects.create(
        certificate=certificate, kind=CertificateEvent.Kind.REQUESTED, by=by
    )
    # With the broker down the certificate stays «pending» until certificates_requeue finds it.
    enqueue_on_commit(certificate_generate, certificate.pk)
    return certificate


def certificates_requeue(*, at=None) -> int:
    """Queue generation again for certificates still «pending» LMS_REQUEUE_AFTER_SECONDS after
    they were last queued, oldest first, at most REQUEUE_BATCH a run; returns how many. Each is
    marked queued now, so while workers are behind or down it is handed over once a window,
    not on every run."""
    from .tasks import certificate_generate

    stale = requeue_stale(
        Certificate.objects.filter(status=Certificate.Status.PENDING),
        queued_field="queued_at",
        task=certificate_generate,
        batch=REQUEUE_BATCH,
        at=at,
    )
    if stale:
        log.warning("queued again %s certificates left pending", len(stale))
    return len(stale)


def certificate_for_enrollment(*, enrollment: Enrollment, by=None) -> Certificate:
    if enrollment.status != Enrollment.Status.COMPLETED:
        raise CertificateError(_("Сертификат выдаётся только за завершённое обучение."))
    user = enrollment.user
    cohort = enrollment.cohort
    finished = localdate(enrollment.completed_at) if enrollment.completed_at else cohort.ends_on
    return certificate_issue(
        holder=user,
        holder_name=user.get_full_name(),
        holder_gender=user.document_gender,
        subject=cohort.course.title,
        hours=cohort.course.academic_hours,
        date_from=min(cohort.starts_on, finished),
        date_to=finished,
        enrollment=enrollment,
        region=enrollment.region,
        organisation_name=enrollment.organisation_name,
        by=by,
    )


def on_enrollment_completed(sender, enrollment_id, **kwargs):
    """courses raises this after the commit that completed the enrolment."""
    enrollment = Enrollment.objects.select_related("user", "cohort__course").get(pk=enrollment_id)
    try:
        certificate_for_enrollment(enrollment=enrollment)
    except IntegrityError:
        pass  # a parallel request issued it first: one certificate per enrolment


@transaction.atomic
def event_issue(*, event: Event, by=None) -> int:
    """A participation certificate for everyone at an accepted cascade event who has none
    yet: the event's title, its hours, its dates in the region's zone. Participants with an
    account find theirs on «Сертификаты» and by e-mail; the team hands out the others."""
    if event.status != Event.Status.ACCEPTED:
        raise CertificateError(_("Сертификаты выдаются участникам принятого мероприятия."))
    zone = ZoneInfo(event.team.region.timezone)
    date_from = event.starts_at.astimezone(zone).date()
    date_to = event.ends_at.astimezone(zone).date()
    waiting = (
        event.participations.exclude(
            certificates__status__in=[Certificate.Status.PENDING, Certificate.Status.VALID]
        )
        .select_related("person__user")
        .order_by("person__full_name", "pk")
    )
    issued = 0
    for participation in waiting:
        person = participation.person
        certificate_issue(
            holder=person.user,
            holder_name=person.user.get_full_name() if person.user else person.full_name,
            holder_gender=person.user.document_gender
            if person.user
            else gender_from_patronymic(person.full_name),
            subject=event.title,
            hours=event.hours,
            date_from=date_from,
            date_to=date_to,
            participation=participation,
            region=event.team.region,
            organisation_name=person.organisation,
            by=by,
        )
        issued += 1
    return issued


def on_event_accepted(sender, event_id, **kwargs):
    """cascade raises this after the commit that accepted the event's report."""
    event = Event.objects.select_related("team__region").get(pk=event_id)
    try:
        event_issue(event=event)
    except IntegrityError:
        pass  # a parallel run issued them first: one certificate per participation


def may_download_event(user, event: Event) -> bool:
    """The event's certificates: its region's coordinator, the admin, the team's members."""
    return manages_region(user, event.team.region_id) or is_member(user, event.team)


def cohort_issue(*, cohort, by) -> int:
    """Issue certificates to every completed learner of the cohort who has none yet."""
    waiting = (
        Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.COMPLETED)
        .exclude(certificates__status__in=[Certificate.Status.PENDING, Certificate.Status.VALID])
        .select_related("user", "cohort__course")
    )
    issued = 0
    for enrollment in waiting:
        certificate_for_enrollment(enrollment=enrollment, by=by)
        issued += 1
    return issued


def _content(certificate: Certificate):
    from .pdf import CertificateContent, Signatory

    template = certificate.template

    def read(field):
        if not field:
            return None
        with field.open("rb") as handle:
            return handle.read()

    return CertificateContent(
        serial=certificate.serial,
        holder_name=certificate.holder_name,
        holder_gender=certificate.holder_gender,
        subject=certificate.subject,
        hours=certificate.hours,
        date_from=certificate.date_from,
        date_to=certificate.date_to,
        issued_on=certificate.issued_on,
        verify_url=verify_url(certificate),
        heading=template.heading,
        body=template.body,
        organisation_line=template.organisation_line,
        landscape=template.landscape,
        logo=read(template.logo),
        background=read(template.background),
        signatories=tuple(
            Signatory(name=s.name, position=s.position, signature=read(s.signature))
            for s in template.signatories.all()[:3]
        ),
    )


def certificate_generate(certificate_id: int) -> bool:
    """Render and store the PDF, once. Safe to run again after a worker died half-way: the
    file has a fixed name and is replaced, the row is updated only while still pending."""
    from .pdf import CertificateRenderer

    certificate = Certificate.objects.select_related("template", "holder").get(pk=certificate_id)
    if certificate.status != Certificate.Status.PENDING:
        return False
    pdf = CertificateRenderer().render(_content(certificate))
    name = f"certificates/{certificate.issued_on.year}/{certificate.serial}.pdf"
    storage = certificate.pdf.storage
    if storage.exists(name):
        storage.delete(name)
    stored = storage.save(name, ContentFile(pdf))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate_id)
        if locked.status != Certificate.Status.PENDING:
            return False
        locked.pdf.name = stored
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.status = Certificate.Status.VALID
        locked.emailed_at = now() if locked.holder_id else None
        locked.save(update_fields=["pdf", "sha256", "status", "emailed_at"])
        CertificateEvent.objects.create(certificate=locked, kind=CertificateEvent.Kind.GENERATED)
        if locked.holder_id:
            notify(
                locked.holder,
                "certificates/email/ready",
                {
                    "certificate": locked,
                    "verify_url": verify_url(locked),
                    "download_url": absolute(reverse("certificates:mine")),
                },
            )
            CertificateEvent.objects.create(certificate=locked, kind=CertificateEvent.Kind.EMAILED)
    return True


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, by, request=None) -> Certificate:
    if not reason.strip():
        raise CertificateError(_("Укажите причину отзыва: она сохранится в истории сертификата."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        raise CertificateError(_("Сертификат уже отозван."))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = now()
    certificate.revoke_reason = reason.strip()
    certificate.save(update_fields=["status", "revoked_at", "revoke_reason"])
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=CertificateEvent.Kind.REVOKED,
        by=by,
        detail=certificate.revoke_reason[:500],
    )
    security_event_log(
        SecurityEvent.Kind.CERTIFICATE_REVOKED,
        request=request,
        user=certificate.holder,
        actor=by,
        serial=certificate.serial,
    )
    return certificate


@transaction.atomic
def certificate_reissue(
    *, certificate: Certificate, reason: str, by, request=None, holder_name: str | None = None
) -> Certificate:
    """Revoke and issue anew with a new serial; the old one points to the new one."""
    old = certificate_revoke(certificate=certificate, reason=reason, by=by, request=request)
    new = certificate_issue(
        holder=old.holder,
        holder_name=(holder_name or old.holder_name).strip(),
        holder_gender=old.holder.document_gender if old.holder else old.holder_gender,
        subject=old.subject,
        hours=old.hours,
        date_from=old.date_from,
        date_to=old.date_to,
        enrollment=old.enrollment,
        participation=old.participation,
        template=old.template,
        region=old.region,
        organisation_name=old.organisation_name,
        by=by,
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    CertificateEvent.objects.create(
        certificate=new, kind=CertificateEvent.Kind.REISSUED, by=by, detail=old.serial
    )
    return new
