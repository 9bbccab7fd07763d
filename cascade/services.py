"""Writes of the cascade: teams and their members, events from plan to accepted report,
participants (by invitation code or by an uploaded list) and merging duplicate people.

Every function checks who acts: a region's coordinator (or the programme admin) forms teams,
reviews reports and merges people; a current team member plans and reports the team's events.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal
from django.utils.timezone import localdate, now
from django.utils.translation import gettext as _

from courses.models import Enrollment
from courses.roster_file import RosterRow, parse_roster
from lms.models import Role, User
from lms.notify import notify
from lms.uploads import safe_filename

from .models import Event, EventFile, Membership, Participation, Person, Team, person_key
from .reach import refresh_requested

log = logging.getLogger(__name__)

# Sent after the commit that accepts a report; certificates/ offers participation certificates.
event_accepted = Signal()  # kwargs: event_id

REPORTABLE = (Event.Status.PLANNED, Event.Status.RETURNED)


class CascadeError(Exception):
    """Refused; the message is for the person who tried."""


def manages_region(user, region_id: int) -> bool:
    return user.has_role(Role.ADMIN) or region_id in user.coordinated_region_ids()


def is_member(user, team: Team) -> bool:
    return team.memberships.filter(user=user, left_on__isnull=True).exists()


def is_graduate(user) -> bool:
    return user.enrollments.filter(status=Enrollment.Status.COMPLETED).exists()


def is_cascade_trained(user) -> bool:
    return Person.objects.filter(
        user=user, participations__event__status=Event.Status.ACCEPTED
    ).exists()


def _check_manager(by, region_id: int) -> None:
    if not manages_region(by, region_id):
        raise CascadeError(_("Это может сделать координатор региона или администратор программы."))


def _membership_problem(user, reason: str) -> str | None:
    """Why ``user`` may not join a team: only graduates of the programme, people trained in
    the cascade, or experts with a stated reason."""
    if reason.strip() or is_graduate(user) or is_cascade_trained(user):
        return None
    return _(
        "%(name)s не окончил(а) программу и не обучен(а) в каскаде: укажите, почему он(а) "
        "в команде."
    ) % {"name": user.get_full_name()}


@transaction.atomic
def team_create(*, by, region, name: str, lead, members=(), modules=()) -> Team:
    """A team in ``region`` led by ``lead``; ``members`` are (user, reason) pairs, the lead
    included or not. All or nothing: every problem is reported at once."""
    _check_manager(by, region.pk)
    if Team.objects.filter(region=region, name=name).exists():
        raise CascadeError(_("В регионе уже есть команда с таким названием."))
    everyone = {lead.pk: (lead, "")}
    for user, reason in members:
        everyone[user.pk] = (user, reason or everyone.get(user.pk, (None, ""))[1])
    problems = [p for user, reason in everyone.values() if (p := _membership_problem(user, reason))]
    if problems:
        raise CascadeError(" ".join(problems))
    team = Team.objects.create(
        region=region, name=name, lead=lead, created_by=by, status=Team.Status.ACTIVE
    )
    team.modules.set(modules)
    Membership.objects.bulk_create(
        Membership(
            team=team, user=user, joined_on=localdate(), exception_reason=reason, added_by=by
        )
        for user, reason in everyone.values()
    )
    log.info("team %s formed in region %s by user %s", team.pk, region.code, by.pk)
    return team


@transaction.atomic
def member_add(*, team: Team, user, by, reason: str = "", joined_on=None) -> Membership:
    _check_manager(by, team.region_id)
    if is_member(user, team):
        raise CascadeError(_("%(name)s уже в команде.") % {"name": user.get_full_name()})
    problem = _membership_problem(user, reason)
    if problem:
        raise CascadeError(problem)
    return Membership.objects.create(
        team=team,
        user=user,
        joined_on=joined_on or localdate(),
        exception_reason=reason,
        added_by=by,
    )


@transaction.atomic
def member_leave(*, membership: Membership, by, left_on=None) -> Membership:
    """Someone leaves (they themselves, or the coordinator); the row stays with its dates."""
    if by.pk != membership.user_id:
        _check_manager(by, membership.team.region_id)
    if membership.left_on is not None:
        raise CascadeError(_("Этот участник уже вышел из команды."))
    if membership.team.lead_id == membership.user_id:
        raise CascadeError(_("Сначала назначьте команде другого руководителя."))
    left_on = left_on or localdate()
    if left_on < membership.joined_on:
        raise CascadeError(_("Дата выхода раньше даты вступления."))
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    return membership


def _check_event(team: Team, by, trainers, fields: dict) -> None:
    if not (is_member(by, team) or manages_region(by, team.region_id)):
        raise CascadeError(_("Планировать мероприятия может участник команды."))
    current = set(team.memberships.filter(left_on__isnull=True).values_list("user_id", flat=True))
    strangers = [t.get_full_name() for t in trainers if t.pk not in current]
    if strangers:
        raise CascadeError(
            _("Ведущие должны быть в команде: %(names)s.") % {"names": ", ".join(strangers)}
        )
    if not trainers:
        raise CascadeError(_("Укажите хотя бы одного ведущего."))
    if fields["ends_at"] <= fields["starts_at"]:
        raise CascadeError(_("Мероприятие должно заканчиваться позже, чем начинается."))


@transaction.atomic
def event_plan(*, team: Team, by, trainers, modules, **fields) -> Event:
    """A planned event of ``team``; ``by`` must be in the team (or manage its region) and the
    trainers must be current members."""
    _check_event(team, by, trainers, fields)
    event = Event.objects.create(team=team, created_by=by, **fields)
    event.trainers.set(trainers)
    event.modules.set(modules)
    return event


@transaction.atomic
def event_update(*, event: Event, by, trainers, modules, **fields) -> Event:
    """Correct a planned event, or one whose report came back; a report under review or
    accepted is the record and stays as it is."""
    event = Event.objects.select_for_update().select_related("team").get(pk=event.pk)
    if event.status not in REPORTABLE:
        raise CascadeError(_("Отчёт уже отправлен координатору или принят: менять нельзя."))
    _check_event(event.team, by, trainers, fields)
    for name, value in fields.items():
        setattr(event, name, value)
    event.save(update_fields=list(fields))
    event.trainers.set(trainers)
    event.modules.set(modules)
    return event


@transaction.atomic
def team_update(*, team: Team, by, name: str, lead, status: str, modules) -> Team:
    """The coordinator renames a team, hands its lead to another current member, changes its
    status or the modules it teaches."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    _check_manager(by, team.region_id)
    if Team.objects.filter(region_id=team.region_id, name=name).exclude(pk=team.pk).exists():
        raise CascadeError(_("В регионе уже есть команда с таким названием."))
    if not is_member(lead, team):
        raise CascadeError(_("Руководителем может стать только участник команды."))
    team.name, team.lead, team.status = name, lead, status
    team.save(update_fields=["name", "lead", "status"])
    team.modules.set(modules)
    return team


def _person_for_user(user, region_id: int) -> Person:
    person, created = Person.objects.get_or_create(
        region_id=region_id,
        user=user,
        defaults={
            "full_name": user.get_full_name(),
            "organisation": user.organisation.name if user.organisation_id else "",
            "position": user.position,
            "email": user.email,
        },
    )
    if created:
        refresh_requested()  # a new record may repeat one already there
    return person


@transaction.atomic
def event_join(*, code: str, user) -> Event:
    """A registered participant joins an event with its invitation code and confirms they
    attended. Possible from the event's start until its report is accepted."""
    event = (
        Event.objects.select_for_update()
        .select_related("team")
        .filter(invite_code=code.strip().upper())
        .first()
    )
    if event is None:
        raise CascadeError(_("Мероприятия с таким кодом нет. Проверьте код у ведущих."))
    if event.status == Event.Status.ACCEPTED:
        raise CascadeError(_("Отчёт о мероприятии уже принят: отметиться больше нельзя."))
    if event.starts_at > now():
        raise CascadeError(_("Отметиться можно, когда мероприятие начнётся."))
    person = _person_for_user(user, event.team.region_id)
    Participation.objects.get_or_create(
        event=event,
        person=person,
        defaults={"source": Participation.Source.ACCOUNT, "confirmed_at": now()},
    )
    return event


@dataclass
class ListReport:
    """What an uploaded participant list did: people added, already there, or the errors (and
    then nothing was saved)."""

    added: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return not self.errors


def participants_upload(*, event: Event, uploaded, by) -> ListReport:
    """Participants from a CSV or XLSX list (ФИО, организация, должность, e-mail optional),
    validated row by row; with any error nothing is saved. A row with the e-mail of an account
    is that person; otherwise people are matched by normalised ФИО and organisation."""
    _check_reporter(by, event)
    rows, errors = parse_roster(uploaded, email_required=False)
    report = ListReport(errors=list(errors))
    if report.errors:
        return report
    with transaction.atomic():
        region_id = event.team.region_id
        accounts = {
            u.email.lower(): u
            for u in User.objects.filter(email__in=[r.email for r in rows if r.email])
        }
        have = set(event.participations.values_list("person_id", flat=True))
        for row in rows:
            person = _person_for_row(row, region_id, accounts.get(row.email.lower()))
            if person.pk in have:
                report.existing.append(row)
                continue
            Participation.objects.create(
                event=event, person=person, source=Participation.Source.LIST, confirmed_at=now()
            )
            have.add(person.pk)
            report.added.append(row)
    return report


def _person_for_row(row: RosterRow, region_id: int, account) -> Person:
    if account is not None:
        return _person_for_user(account, region_id)
    key = person_key(row.full_name, row.organisation)
    person = Person.objects.filter(region_id=region_id, key=key).order_by("pk").first()
    if person is None:
        person = Person.objects.create(
            region_id=region_id,
            full_name=row.full_name,
            organisation=row.organisation,
            position=row.position,
            email=row.email,
        )
        refresh_requested()  # a new record may repeat one already there
    return person


def _check_reporter(by, event: Event) -> None:
    if not (is_member(by, event.team) or manages_region(by, event.team.region_id)):
        raise CascadeError(_("Отчитаться о мероприятии может участник команды."))
    if event.status not in REPORTABLE:
        raise CascadeError(_("Отчёт уже отправлен координатору или принят."))


@transaction.atomic
def event_report(*, event: Event, by, outcome: str, files=()) -> Event:
    """The team's report: the outcome note and materials (checked uploads); participants are
    added before, by code or list. Sent to the coordinator for review."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_reporter(by, event)
    if event.ends_at > now():
        raise CascadeError(_("Отчитаться можно после окончания мероприятия."))
    if not event.participations.exists():
        raise CascadeError(_("Добавьте участников: загрузите список или попросите их отметиться."))
    for uploaded in files:
        name = safe_filename(uploaded.name)
        stored = EventFile(
            event=event,
            name=name,
            kind=getattr(uploaded, "detected_format", ""),
            size=uploaded.size,
            uploaded_by=by,
        )
        stored.file.save(name, uploaded, save=False)
        stored.save()
    event.outcome = outcome
    event.status = Event.Status.REPORTED
    event.reported_at = now()
    event.reported_by = by
    event.save(update_fields=["outcome", "status", "reported_at", "reported_by"])
    participants = event.participations.count()
    for reviewer in reviewers_of(event):
        notify(
            reviewer,
            "cascade/email/report_sent",
            {"event": event, "participants": participants},
        )
    return event


def reviewers_of(event: Event):
    """Who is asked to decide on a report: the region's coordinators other than the reporter;
    the programme admins when the reporter is the region's only coordinator."""
    active = User.objects.filter(is_active=True).exclude(pk=event.reported_by_id)
    coordinators = active.filter(
        role_assignments__role=Role.COORDINATOR,
        role_assignments__region_id=event.team.region_id,
    ).distinct()
    if coordinators.exists():
        return coordinators
    return active.filter(role_assignments__role=Role.ADMIN).distinct()


def may_review(user, event: Event) -> bool:
    """A report is decided by someone who manages the region and did not send it."""
    return (
        event.status == Event.Status.REPORTED
        and manages_region(user, event.team.region_id)
        and user.pk != event.reported_by_id
    )


@transaction.atomic
def event_review(*, event: Event, by, accept: bool, comment: str = "") -> Event:
    """The coordinator accepts a report (the event then counts towards reach) or returns it
    with a comment saying what to fix. Whoever sent the report may not decide on it; who
    decided and when is kept on the event."""
    event = Event.objects.select_for_update().select_related("team").get(pk=event.pk)
    _check_manager(by, event.team.region_id)
    if event.status != Event.Status.REPORTED:
        raise CascadeError(_("Принять или вернуть можно только отправленный отчёт."))
    if not may_review(by, event):  # a manager of the region, and not the one who reported
        raise CascadeError(
            _(
                "Вы отправили этот отчёт: принять или вернуть его должен другой координатор "
                "региона или администратор программы."
            )
        )
    if not accept and not comment.strip():
        raise CascadeError(_("Напишите команде, что исправить в отчёте."))
    event.status = Event.Status.ACCEPTED if accept else Event.Status.RETURNED
    event.review_comment = comment
    event.reviewed_by = by
    event.reviewed_at = now()
    event.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
    told = {event.team.lead, *event.trainers.filter(is_active=True)}
    for user in sorted(told, key=lambda u: u.pk):
        notify(
            user,
            "cascade/email/report_accepted" if accept else "cascade/email/report_returned",
            {"event": event},
        )
    if accept:
        refresh_requested()
        transaction.on_commit(lambda: event_accepted.send(sender=Event, event_id=event.pk))
    return event


def _merge(duplicate: Person, into: Person, by) -> None:
    _check_manager(by, duplicate.region_id)
    if duplicate.region_id != into.region_id:
        raise CascadeError(_("Объединить можно только людей одного региона."))
    if duplicate.pk == into.pk or duplicate.merged_into_id or into.merged_into_id:
        raise CascadeError(_("Эти записи уже объединены."))
    if duplicate.user_id and into.user_id and duplicate.user_id != into.user_id:
        raise CascadeError(
            _("%(a)s и %(b)s — две разные учётные записи: их не объединить.")
            % {"a": duplicate.full_name, "b": into.full_name}
        )
    Person.objects.filter(merged_into=duplicate).update(merged_into=into)
    duplicate.merged_into = into
    duplicate.merged_by = by
    duplicate.merged_at = now()
    duplicate.save(update_fields=["merged_into", "merged_by", "merged_at"])
    log.info("person %s merged into %s by user %s", duplicate.pk, into.pk, by.pk)


@transaction.atomic
def person_merge(*, duplicate: Person, into: Person, by) -> Person:
    """The coordinator says two records are one person: ``duplicate`` then counts as ``into``."""
    _merge(duplicate, into, by)
    refresh_requested()
    return into


@transaction.atomic
def people_merge(*, keep: Person, duplicates, by) -> Person:
    """Several records merged into ``keep`` at once: all of them, or none."""
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    if not duplicates:
        raise CascadeError(_("Отметьте записи, которые нужно объединить с оставляемой."))
    for duplicate in duplicates:
        _merge(duplicate, keep, by)
    refresh_requested()
    return keep


@transaction.atomic
def person_unmerge(*, person: Person, by) -> Person:
    """Undo a merge that was a mistake: the record counts on its own again."""
    _check_manager(by, person.region_id)
    if person.merged_into_id is None:
        raise CascadeError(_("Эта запись ни с кем не объединена."))
    person.merged_into = None
    person.merged_by = None
    person.merged_at = None
    person.save(update_fields=["merged_into", "merged_by", "merged_at"])
    log.info("person %s unmerged by user %s", person.pk, by.pk)
    refresh_requested()
    return person
