"""Supervision: sessions a supervisor publishes, bookings, anonymised cases, notes, reminders."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from courses.models import Cohort, Course, Meeting
from lms.models import ChoiceLabelsMixin
from lms.storage import private_storage
from lms.versions import KeptQuerySet


class SupervisionSeries(ChoiceLabelsMixin, models.Model):
    """Sessions created together as a weekly or fortnightly series."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Каждую неделю")
        FORTNIGHTLY = "fortnightly", _("Раз в две недели")

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    frequency = models.CharField(_("повторение"), max_length=20, choices=Frequency.choices)
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("серия супервизий")
        verbose_name_plural = _("серии супервизий")

    def __str__(self):
        return f"{self.get_frequency_display()} ({self.pk})"


def _seats(user):
    """The enrolments that open supervisions to a learner: those holding a seat."""
    from courses.models import SEAT_STATUSES

    return user.enrollments.filter(status__in=SEAT_STATUSES)


class SupervisionSessionQuerySet(KeptQuerySet):
    def scheduled(self):
        return self.filter(status=SupervisionSession.Status.SCHEDULED)

    def open_to(self, user):
        """Sessions a learner may book: of a cohort they hold a seat in, or open to its course
        (``SupervisionSession.is_open_to`` asks the same of one session)."""
        seats = _seats(user)
        return self.filter(
            Q(cohort__in=seats.values("cohort")) | Q(course__in=seats.values("cohort__course"))
        )


class SupervisionSession(Meeting):
    class Kind(models.TextChoices):
        GROUP = "group", _("Групповая")
        INDIVIDUAL = "individual", _("Индивидуальная")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Запланирована")
        CANCELLED = "cancelled", _("Отменена")

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_sessions",
        verbose_name=_("супервизор"),
    )
    title = models.CharField(_("тема"), max_length=300)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.GROUP)
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervisions",
        verbose_name=_("поток"),
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervisions",
        verbose_name=_("курс (для всех его слушателей)"),
    )
    capacity = models.PositiveSmallIntegerField(_("мест"), validators=[MinValueValidator(1)])
    booking_opens_at = models.DateTimeField(_("запись открывается"))
    booking_closes_at = models.DateTimeField(_("запись закрывается"))
    cancellation_hours = models.PositiveSmallIntegerField(
        _("отменить запись можно не позже, чем за (часов)"), default=24
    )
    series = models.ForeignKey(
        SupervisionSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )

    objects = SupervisionSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("супервизия")
        verbose_name_plural = _("супервизии")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="supervision_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(booking_closes_at__gt=models.F("booking_opens_at")),
                name="supervision_booking_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(cohort__isnull=False) | Q(course__isnull=False),
                name="supervision_for_cohort_or_course",
            ),
            models.CheckConstraint(
                condition=~Q(kind="individual") | Q(capacity=1),
                name="individual_supervision_has_one_seat",
            ),
        ]
        indexes = [models.Index(fields=["supervisor", "starts_at"])]

    def is_open_to(self, user) -> bool:
        """Whether a learner may see and book this session: the rule of
        ``SupervisionSessionQuerySet.open_to``, asked of the learner's seats in one query."""
        allowed = Q()
        if self.cohort_id is not None:
            allowed |= Q(cohort_id=self.cohort_id)
        if self.course_id is not None:
            allowed |= Q(cohort__course_id=self.course_id)
        return _seats(user).filter(allowed).exists()

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    def cancellation_deadline(self):
        from datetime import timedelta

        return self.starts_at - timedelta(hours=self.cancellation_hours)


class Booking(ChoiceLabelsMixin, models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Записан")
        WAITLISTED = "waitlisted", _("В листе ожидания")
        CANCELLED = "cancelled", _("Запись отменена")
        ATTENDED = "attended", _("Присутствовал")
        ABSENT = "absent", _("Не пришёл")
        EXCUSED = "excused", _("Уважительная причина")

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_bookings"
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.BOOKED
    )
    booked_at = models.DateTimeField(default=now)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["booked_at"]
        verbose_name = _("запись на супервизию")
        verbose_name_plural = _("записи на супервизии")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=~Q(status="cancelled"),
                name="one_live_booking_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["booked_at"], name="booking_booked_at"),  # the admin's order
        ]

    def __str__(self):
        return f"{self.user} — {self.session}"


# A seat is held by these bookings; WAITLISTED and CANCELLED hold none.
SEAT_STATUSES = (
    Booking.Status.BOOKED,
    Booking.Status.ATTENDED,
    Booking.Status.ABSENT,
    Booking.Status.EXCUSED,
)


def case_upload_path(instance, filename):
    return f"cases/{instance.case.booking.session_id}/{instance.case_id}/{filename}"


class CaseSubmission(models.Model):
    """An anonymised case a booked specialist brings to the session."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="case")
    title = models.CharField(_("тема случая"), max_length=200)
    text = models.TextField(_("описание случая"))  # sanitised HTML (lms.sanitize)
    anonymised_confirmed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("случай для разбора")
        verbose_name_plural = _("случаи для разбора")

    def __str__(self):
        return self.title


class CaseAttachment(models.Model):
    case = models.ForeignKey(CaseSubmission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=case_upload_path, storage=private_storage, max_length=300)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class CaseDeletion(models.Model):
    """The record that a case's text and files were deleted, and when: the content is gone."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    attachments = models.PositiveSmallIntegerField(default=0)
    deleted_at = models.DateTimeField(default=now)
    reason = models.CharField(max_length=100, default="retention")

    class Meta:
        ordering = ["-deleted_at"]
        verbose_name = _("удалённый случай")
        verbose_name_plural = _("удалённые случаи")

    def __str__(self):
        return f"{self.title} ({self.deleted_at:%Y-%m-%d})"


class SessionNote(models.Model):
    """After the session: a note for its participants and a confidential one for supervisors."""

    session = models.OneToOneField(
        SupervisionSession, on_delete=models.CASCADE, related_name="note"
    )
    shared = models.TextField(_("заметка для участников"), blank=True)
    confidential = models.TextField(_("конфиденциальная заметка (только супервизорам)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self):
        return str(self.session)


class BookingReminder(models.Model):
    """One row per reminder sent: the guard that makes reminders idempotent."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10)  # "24h" or "1h"
    sent_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind"], name="booking_reminder_once")
        ]

    def __str__(self):
        return f"{self.booking} {self.kind}"
