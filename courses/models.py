"""Courses, their cohorts (потоки), applications and enrolments, seminar sessions, attendance,
module progress and completion."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from lms.models import ChoiceLabelsMixin, Region
from lms.names import NameField
from lms.versions import KeptQuerySet


class Course(models.Model):
    title = models.CharField(_("название"), max_length=300)
    slug = models.SlugField(_("адрес"), max_length=100, unique=True, allow_unicode=False)
    description = models.TextField(_("описание"))
    audience = models.CharField(_("для кого"), max_length=300, blank=True)
    academic_hours = models.PositiveSmallIntegerField(
        _("академических часов"), validators=[MinValueValidator(1)]
    )
    completion_attendance_percent = models.PositiveSmallIntegerField(
        _("посещено семинаров, %"),
        default=75,
        validators=[MaxValueValidator(100)],
        help_text=_("Какую долю семинаров потока нужно посетить."),
    )
    completion_supervisions = models.PositiveSmallIntegerField(_("посещено супервизий"), default=0)
    completion_modules_percent = models.PositiveSmallIntegerField(
        _("изучено модулей, %"), default=100, validators=[MaxValueValidator(100)]
    )
    is_published = models.BooleanField(_("опубликован"), default=True)

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("курс")
        verbose_name_plural = _("курсы")
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_attendance_percent__lte=100)
                & Q(completion_modules_percent__lte=100),
                name="course_percent_at_most_100",
            )
        ]

    def __str__(self):
        return self.title


class CourseModule(models.Model):
    """A module of a course; its content is a Wagtail page (cms.SeminarModulePage)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    title = models.CharField(_("название"), max_length=300)
    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="course_module",
        verbose_name=_("страница модуля"),
    )

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["course", "order", "pk"]
        verbose_name = _("модуль курса")
        verbose_name_plural = _("модули курса")

    def __str__(self):
        return self.title


class CohortQuerySet(KeptQuerySet):
    def with_fill(self):
        """Annotate ``seats_taken`` and ``waitlisted`` in the same query."""
        return self.annotate(
            seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_STATUSES)),
            waitlisted=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)
            ),
        )

    def open_for_applications(self, at=None):
        at = at or now()
        return self.filter(
            status=Cohort.Status.RECRUITING,
            applications_open_at__lte=at,
            applications_close_at__gt=at,
            course__is_published=True,
        )

    def visible_to_coordinator(self, user):
        if user.has_role("admin"):
            return self
        return self.filter(regions__in=user.coordinated_region_ids()).distinct()

    def taught_by(self, user):
        return self.filter(trainers=user)


class Cohort(ChoiceLabelsMixin, models.Model):
    """A run of a course (поток): dates, regions, capacity, trainers, application window."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Готовится")
        RECRUITING = "recruiting", _("Набор")
        RUNNING = "running", _("Идёт обучение")
        FINISHED = "finished", _("Завершён")
        CANCELLED = "cancelled", _("Отменён")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    title = models.CharField(_("название"), max_length=300)
    regions = models.ManyToManyField(Region, related_name="cohorts", verbose_name=_("регионы"))
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    capacity = models.PositiveIntegerField(_("мест"), validators=[MinValueValidator(1)])
    applications_open_at = models.DateTimeField(_("приём заявок с"))
    applications_close_at = models.DateTimeField(_("приём заявок до"))
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="taught_cohorts",
        blank=True,
        verbose_name=_("тренеры"),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_cohorts",
        verbose_name=_("координатор"),
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "title"]
        verbose_name = _("поток")
        verbose_name_plural = _("потоки")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=models.F("applications_open_at")),
                name="cohort_application_window_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def is_open_for_applications(self, at=None):
        at = at or now()
        return (
            self.status == self.Status.RECRUITING
            and self.applications_open_at <= at < self.applications_close_at
        )


class RegionQuota(models.Model):
    """Optional seats reserved per region inside a cohort's capacity."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="quotas")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("регион"))
    seats = models.PositiveIntegerField(_("мест"))

    objects = KeptQuerySet.as_manager()

    class Meta:
        verbose_name = _("места для региона")
        verbose_name_plural = _("места для регионов")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "region"], name="quota_once_per_region")
        ]

    def __str__(self):
        return f"{self.region}: {self.seats}"


class EnrollmentQuerySet(KeptQuerySet):
    def holding_seats(self):
        return self.filter(status__in=SEAT_STATUSES)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def for_coordinator(self, user):
        """Enrolments a coordinator may see: learners from their regions (all for the admin)."""
        if user.has_role("admin"):
            return self
        return self.filter(region__in=user.coordinated_region_ids())


class Enrollment(ChoiceLabelsMixin, models.Model):
    """A person's application to a cohort and, once approved, their place in it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Заявка на рассмотрении")
        WAITLISTED = "waitlisted", _("В листе ожидания")
        ENROLLED = "enrolled", _("Зачислен")
        COMPLETED = "completed", _("Завершил обучение")
        REJECTED = "rejected", _("Заявка отклонена")
        WITHDRAWN = "withdrawn", _("Отказался от обучения")
        TRANSFERRED = "transferred", _("Переведён в другой поток")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments")
    # The learner's region when they applied: quotas and the coordinator's scope follow it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("регион"))
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    position = models.CharField(_("должность"), max_length=200)
    organisation_name = NameField(_("организация"), max_length=300)
    motivation = models.TextField(_("почему вы хотите учиться"), max_length=2000, blank=True)
    applied_at = models.DateTimeField(_("подана"), default=now)
    decided_at = models.DateTimeField(_("решение"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(_("причина"), blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("завершено"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="transferred_to"
    )
    # Attended supervisions, kept up to date by the supervision app.
    supervisions_attended = models.PositiveSmallIntegerField(default=0)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["applied_at"]
        verbose_name = _("заявка и зачисление")
        verbose_name_plural = _("заявки и зачисления")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cohort"],
                condition=Q(status__in=["pending", "waitlisted", "enrolled", "completed"]),
                name="one_active_enrollment_per_cohort",
            )
        ]
        indexes = [
            models.Index(fields=["cohort", "status"]),
            models.Index(fields=["applied_at"], name="enrollment_applied_at"),  # the admin's order
        ]

    def __str__(self):
        return f"{self.user} — {self.cohort}"


SEAT_STATUSES = (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED)
# A cohort in these is over: nobody moves into it, and a trainer's page lists it apart.
OVER_STATUSES = (Cohort.Status.FINISHED, Cohort.Status.CANCELLED)
ACTIVE_STATUSES = (
    Enrollment.Status.PENDING,
    Enrollment.Status.WAITLISTED,
    Enrollment.Status.ENROLLED,
    Enrollment.Status.COMPLETED,
)


class Meeting(ChoiceLabelsMixin, models.Model):
    """When and where a session happens: stored in UTC, entered in a named zone (the venue's or
    the host's), in person or online. Shared by seminars and supervision sessions."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("Очно")
        ONLINE = "online", _("Онлайн")

    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    timezone = models.CharField(_("часовой пояс"), max_length=64, default="Europe/Moscow")
    format = models.CharField(
        _("формат"), max_length=20, choices=Format.choices, default=Format.ONLINE
    )
    venue = models.CharField(_("место проведения"), max_length=300, blank=True)
    online_url = models.URLField(_("ссылка на онлайн-встречу"), blank=True)
    sequence = models.PositiveIntegerField(default=0)  # raised on every change, for .ics
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def place(self) -> str:
        """The link for an online session, the venue otherwise."""
        return self.online_url if self.format == self.Format.ONLINE else self.venue

    @property
    def has_started(self) -> bool:
        """Attendance can be marked only once the meeting has begun."""
        return self.starts_at <= now()


class SeminarSessionQuerySet(KeptQuerySet):
    def upcoming(self, at=None):
        return self.filter(ends_at__gt=at or now(), cancelled=False)


class SeminarSession(Meeting):
    """A seminar-training of a cohort, in person or online."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("тема"), max_length=300)
    module = models.ForeignKey(
        CourseModule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("модуль"),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="seminar_sessions",
        blank=True,
        verbose_name=_("тренеры"),
    )
    cancelled = models.BooleanField(_("отменён"), default=False)

    objects = SeminarSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("семинар")
        verbose_name_plural = _("семинары")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(format="in_person", venue__gt="")
                | Q(format="online", online_url__gt=""),
                name="session_has_venue_or_link",
            ),
        ]

    def __str__(self):
        return self.title


class Attendance(ChoiceLabelsMixin, models.Model):
    """A learner's mark for one seminar. Set back to «не отмечено» the row stays, with an empty
    status, so its AttendanceChange history is kept."""

    class Status(models.TextChoices):
        UNMARKED = "", _("Не отмечено")
        PRESENT = "present", _("Присутствовал")
        ABSENT = "absent", _("Отсутствовал")
        EXCUSED = "excused", _("Уважительная причина")

    session = models.ForeignKey(SeminarSession, on_delete=models.CASCADE, related_name="attendance")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("отметка"), max_length=10, choices=Status.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=now)

    objects = KeptQuerySet.as_manager()

    class Meta:
        verbose_name = _("посещаемость")
        verbose_name_plural = _("посещаемость")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="attendance_once")
        ]

    def __str__(self):
        return f"{self.session}: {self.get_status_display()}"


class AttendanceChange(models.Model):
    """Every mark and correction of attendance: who changed what, and when."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="changes")
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["changed_at"]

    def __str__(self):
        return f"{self.old_status or '—'} → {self.new_status}"


class ModuleProgress(models.Model):
    """A module a person has studied. Kept per person, so moving cohorts loses nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(CourseModule, on_delete=models.CASCADE, related_name="progress")
    studied_at = models.DateTimeField(default=now)

    objects = KeptQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="module_studied_once")
        ]

    def __str__(self):
        return f"{self.user} — {self.module}"


class SessionReminder(models.Model):
    """One reminder e-mail per learner per session: the row is the guard against sending twice."""

    session = models.ForeignKey(SeminarSession, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="session_reminder_once")
        ]

    def __str__(self):
        return f"{self.session} — {self.user}"
