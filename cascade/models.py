"""The cascade: translator teams of programme graduates in each region, the events they run,
and the people those events reach, counted once per region and by wave.

Wave 1 are the people the programme trained itself (completed enrolments). Wave 2 are people
trained at an accepted event by a wave-1 translator, wave 3 by a wave-2 translator, and so on.
``Person`` is the unit of reach: one per region and human being, found by account or by
normalised ФИО and organisation, and merged by a coordinator where a list spelled someone
differently. Its ``wave`` is computed by ``cascade.reach`` whenever the facts change.
"""

import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from courses.models import CourseModule
from lms.models import ChoiceLabelsMixin, Region
from lms.names import NameField
from lms.storage import private_storage


def normalised(text: str) -> str:
    """ФИО or an organisation's name as compared for duplicates: lower case, «ё» as «е», only
    letters and digits, single spaces («Иванова  Мария-Петровна» = «иванова мария петровна»)."""
    text = (text or "").lower().replace("ё", "е")
    return " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split())


def person_key(full_name: str, organisation: str) -> str:
    return f"{normalised(full_name)}|{normalised(organisation)}"


def _may_be_one(a: tuple[list[str], str], b: tuple[list[str], str]) -> bool:
    """Two (given names and patronymic, organisation) of one surname that may be one person's:
    each pair of words the same, or one an initial of the other («а» and «айгуль»), a missing
    word agreeing; the same organisation, or none given on one side."""
    (names_a, org_a), (names_b, org_b) = a, b
    names = all(
        x == y or (min(len(x), len(y)) == 1 and x[0] == y[0])
        for x, y in zip(names_a, names_b, strict=False)
    )
    return names and (org_a == org_b or not org_a or not org_b)


def likely_duplicates(people) -> list[list["Person"]]:
    """Groups of records that may be one human being, for the coordinator to merge (see
    ``_may_be_one``; an account's record and a listed one count alike). Records are compared
    only within a surname, so the cost grows with the region's people, not their square."""
    by_surname = {}
    for person in people:
        words = normalised(person.full_name).split()
        if words:
            facts = (words[1:], normalised(person.organisation))
            by_surname.setdefault(words[0], []).append((person, facts))
    groups = []
    for candidates in by_surname.values():
        clusters = []
        for person, facts in candidates:
            touching = [c for c in clusters if any(_may_be_one(facts, f) for _p, f in c)]
            joined = [(person, facts)] + [member for c in touching for member in c]
            clusters = [c for c in clusters if all(c is not t for t in touching)] + [joined]
        groups += [[p for p, _f in c] for c in clusters if len(c) > 1]
    return sorted(groups, key=lambda group: normalised(group[0].full_name))


def new_invite_code() -> str:
    """Eight characters a participant can type: no 0/O or 1/I to confuse."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Team(ChoiceLabelsMixin, models.Model):
    class Status(models.TextChoices):
        FORMING = "forming", _("Формируется")
        ACTIVE = "active", _("Работает")
        CLOSED = "closed", _("Завершила работу")

    name = models.CharField(_("название"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("регион")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("руководитель команды"),
    )
    modules = models.ManyToManyField(
        CourseModule, blank=True, related_name="+", verbose_name=_("модули, которые ведёт команда")
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.FORMING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("команда трансляторов")
        verbose_name_plural = _("команды трансляторов")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="team_name_unique_in_region")
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """Someone in a team from ``joined_on`` until ``left_on``. Leaving closes the row; joining
    again opens a new one, so the history stays."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="team_memberships",
        verbose_name=_("участник"),
    )
    joined_on = models.DateField(_("в команде с"))
    left_on = models.DateField(_("вышел(а)"), null=True, blank=True)
    exception_reason = models.TextField(
        _("почему в команде без окончания программы"),
        blank=True,
        help_text=_("Только для экспертов, которые не окончили программу."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["joined_on", "pk"]
        verbose_name = _("участие в команде")
        verbose_name_plural = _("участие в командах")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(left_on__isnull=True),
                name="one_open_membership_per_team",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.team_id}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class Event(ChoiceLabelsMixin, models.Model):
    """A cascade event: planned by a team, reported after it, accepted or returned by the
    region's coordinator. Only accepted events count towards reach."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("Очно")
        ONLINE = "online", _("Онлайн")
        MIXED = "mixed", _("Очно и онлайн")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Запланировано")
        REPORTED = "reported", _("Отчёт на проверке")
        RETURNED = "returned", _("Отчёт возвращён")
        ACCEPTED = "accepted", _("Принято")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(_("название"), max_length=300)
    modules = models.ManyToManyField(
        CourseModule, related_name="+", verbose_name=_("модули программы")
    )
    format = models.CharField(_("формат"), max_length=20, choices=Format.choices)
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    municipality = models.CharField(_("муниципальное образование"), max_length=200)
    venue = models.CharField(_("место проведения"), max_length=300, blank=True)
    link = models.URLField(_("ссылка на трансляцию"), blank=True)
    expected_participants = models.PositiveIntegerField(_("ожидается участников"))
    hours = models.PositiveSmallIntegerField(
        _("академических часов"), help_text=_("Для сертификатов участников.")
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cascade_events_run", verbose_name=_("ведущие")
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    invite_code = models.CharField(
        _("код приглашения"), max_length=12, unique=True, default=new_invite_code
    )
    outcome = models.TextField(_("итоги"), blank=True)
    review_comment = models.TextField(_("комментарий координатора"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    # Who sent the report: the decision on it is someone else's (four eyes on reach figures).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("каскадное мероприятие")
        verbose_name_plural = _("каскадные мероприятия")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="cascade_event_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["team", "status"])]

    def __str__(self):
        return self.title


class Person(models.Model):
    """Someone reached in a region: a registered user, or a person from a participant list.
    ``merged_into`` points a duplicate at the record that counts; ``wave`` is computed."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("регион")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cascade_persons",
    )
    full_name = NameField(_("ФИО"), max_length=300)
    organisation = NameField(_("организация"), max_length=300, blank=True)
    position = models.CharField(_("должность"), max_length=200, blank=True)
    email = models.EmailField(_("электронная почта"), blank=True)
    key = models.CharField(max_length=620, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("это тот же человек, что"),
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    wave = models.PositiveSmallIntegerField(_("волна"), null=True, blank=True)
    # The group of records that may be one human being (likely_duplicates), named by its first
    # record's normalised ФИО and id so that groups sort by name; empty for a record alone.
    # Computed with the waves (cascade.reach), so the coordinator's page only reads it.
    duplicates_group = models.CharField(max_length=320, blank=True, default="", editable=False)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("участник каскада")
        verbose_name_plural = _("участники каскада")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "user"],
                condition=Q(user__isnull=False),
                name="one_person_per_user_and_region",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="person_not_merged_into_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["region", "key"]),
            models.Index(fields=["region", "wave"]),
            # Reach counted per region and wave from the index alone (reach.reach_by_wave):
            # 10 ms instead of 47 over 80,000 persons.
            models.Index(
                fields=["region", "wave"],
                condition=Q(merged_into__isnull=True, wave__isnull=False),
                name="person_reached",
            ),
            models.Index(
                fields=["region", "duplicates_group"],
                condition=Q(merged_into__isnull=True) & ~Q(duplicates_group=""),
                name="person_duplicates",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.key = person_key(self.full_name, self.organisation)
        super().save(*args, **kwargs)


class Participation(models.Model):
    """A person at an event: from an account (they joined with the invitation code and
    confirmed) or from the team's uploaded list."""

    class Source(models.TextChoices):
        ACCOUNT = "account", _("Зарегистрировался сам")
        LIST = "list", _("Из списка команды")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    source = models.CharField(max_length=10, choices=Source.choices)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("участие в мероприятии")
        verbose_name_plural = _("участие в мероприятиях")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="one_participation_each")
        ]

    def __str__(self):
        return f"{self.person_id} → {self.event_id}"


class EventFile(models.Model):
    """Materials, photos and documents of a reported event (type checked by content)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to="cascade/%Y/%m", max_length=200)
    name = models.CharField(_("файл"), max_length=200)
    kind = models.CharField(max_length=10)  # the format found by lms.uploads: pdf, docx, png, jpeg
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("файл мероприятия")
        verbose_name_plural = _("файлы мероприятий")

    def __str__(self):
        return self.name


class ReachRefresh(models.Model):
    """The one row that refreshes of the waves lock, so that two never run at once (the later
    could be overwritten by the earlier one's older view), with when the last one ended."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    changed = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"reach refreshed at {self.refreshed_at}"


class ReachRequest(models.Model):
    """A write that changes who is reached (a graduate, an accepted event, a merge), waiting
    for the waves to be refreshed in Celery (`cascade.reach.refresh_pending`). It is written in
    the writer's own transaction, so it exists exactly when the write does: a refresh that
    finds it starts after that write committed and sees it."""

    requested_at = models.DateTimeField(default=now)

    def __str__(self):
        return f"reach refresh requested at {self.requested_at}"
