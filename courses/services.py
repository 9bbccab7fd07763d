"""Writes of the courses app: applications, decisions, seats, attendance, progress, completion.

Capacity rule: a seat is held by an ENROLLED or COMPLETED enrolment. Every change that takes or
frees a seat locks the cohort row first (``select_for_update`` inside the transaction), counts in
one query, then writes, so two coordinators approving the last seat at once get one seat.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils.timezone import now
from django.utils.translation import gettext as _

from lms.notify import notify

from . import versions
from .models import (
    SEAT_STATUSES,
    Attendance,
    AttendanceChange,
    Cohort,
    CourseModule,
    Enrollment,
    ModuleProgress,
    SeminarSession,
    SessionReminder,
)
from .selectors import progress_for_enrollments
from .signals import enrollment_completed


class CourseError(Exception):
    """A refusal the user should read: the message is already translated."""


Status = Enrollment.Status


def cohort_locked(cohort_id: int) -> Cohort:
    return Cohort.objects.select_for_update().get(pk=cohort_id)


@dataclass(frozen=True)
class NoSeat:
    """Why a cohort has no seat for a learner, with the figures to say so: the cohort itself is
    full, or (``region`` set) the learner's region has used its quota while the cohort has room.
    The two call for different actions, so the coordinator is told which one it is."""

    cohort: str
    taken: int
    seats: int
    region: str = ""

    def __str__(self) -> str:
        if self.region:
            return _(
                "Квота региона «%(region)s» в потоке «%(cohort)s» заполнена: "
                "занято %(taken)s из %(seats)s."
            ) % {
                "region": self.region,
                "cohort": self.cohort,
                "taken": self.taken,
                "seats": self.seats,
            }
        return _("Мест в потоке «%(cohort)s» нет: занято %(taken)s из %(seats)s.") % {
            "cohort": self.cohort,
            "taken": self.taken,
            "seats": self.seats,
        }


class Seats:
    """The seats of a cohort, counted once (two queries) and then kept up to date in memory as
    they are taken, so a waiting list or an imported list is checked without a query per
    person. Build it with the cohort locked, and take seats only through ``take``."""

    def __init__(self, cohort: Cohort):
        self.cohort = cohort
        self.by_region = Counter(
            dict(
                Enrollment.objects.filter(cohort=cohort, status__in=SEAT_STATUSES)
                .values_list("region_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
        )
        self.quotas = {quota.region_id: quota for quota in cohort.quotas.select_related("region")}

    def refusal(self, region_id: int) -> NoSeat | None:
        """None if a learner of ``region_id`` can have a seat, else why not."""
        taken = self.by_region.total()
        if taken >= self.cohort.capacity:
            return NoSeat(self.cohort.title, taken, self.cohort.capacity)
        quota = self.quotas.get(region_id)
        if quota is not None and self.by_region[region_id] >= quota.seats:
            return NoSeat(
                self.cohort.title, self.by_region[region_id], quota.seats, quota.region.title
            )
        return None

    def take(self, region_id: int) -> None:
        self.by_region[region_id] += 1


def seat_refusal(cohort: Cohort, region_id: int) -> NoSeat | None:
    """Why there is no seat in ``cohort`` for a learner of ``region_id`` (None: there is one).
    Call with the cohort locked."""
    return Seats(cohort).refusal(region_id)


def _notify_decision(enrollment: Enrollment) -> None:
    notify(
        enrollment.user,
        f"courses/email/application_{enrollment.status}",
        {"enrollment": enrollment, "cohort": enrollment.cohort, "course": enrollment.cohort.course},
    )


@transaction.atomic
def enrollment_apply(
    *, user, cohort: Cohort, position: str, organisation_name: str, motivation: str = ""
) -> Enrollment:
    """A specialist applies to an open cohort. Applying twice returns the first application."""
    cohort = cohort_locked(cohort.pk)
    existing = Enrollment.objects.active().filter(user=user, cohort=cohort).first()
    if existing:
        return existing
    if not cohort.is_open_for_applications():
        raise CourseError(_("Приём заявок в этот поток закрыт."))
    if user.region_id is None:
        raise CourseError(_("Укажите свой регион в профиле, чтобы подать заявку."))
    if not cohort.regions.filter(pk=user.region_id).exists():
        raise CourseError(_("Этот поток набирает специалистов других регионов."))
    if Enrollment.objects.active().filter(user=user, cohort__course=cohort.course).exists():
        raise CourseError(_("У вас уже есть заявка или место на этом курсе в другом потоке."))
    enrollment = Enrollment.objects.create(
        user=user,
        cohort=cohort,
        region_id=user.region_id,
        position=position,
        organisation_name=organisation_name,
        motivation=motivation,
    )
    notify(
        user,
        "courses/email/application_received",
        {"enrollment": enrollment, "cohort": cohort, "course": cohort.course},
    )
    return enrollment


@transaction.atomic
def enrollment_decide(*, enrollment: Enrollment, decision: str, by, reason: str = "") -> Enrollment:
    """Approve, waitlist or reject an application. Approval needs a free seat."""
    cohort = cohort_locked(enrollment.cohort_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status not in (Status.PENDING, Status.WAITLISTED):
        raise CourseError(_("По этой заявке уже принято решение."))
    if decision == "approve":
        if refusal := seat_refusal(cohort, enrollment.region_id):
            raise CourseError(
                _("%(refusal)s Заявку можно поставить в лист ожидания.") % {"refusal": refusal}
            )
        enrollment.status = Status.ENROLLED
    elif decision == "waitlist":
        if enrollment.status == Status.WAITLISTED:
            return enrollment
        enrollment.status = Status.WAITLISTED
        enrollment.waitlisted_at = now()
    elif decision == "reject":
        if not reason.strip():
            raise CourseError(_("Укажите причину отказа: её увидит заявитель."))
        enrollment.status = Status.REJECTED
    else:
        raise CourseError(_("Неизвестное решение."))
    enrollment.decided_at = now()
    enrollment.decided_by = by
    enrollment.decision_reason = reason.strip()
    enrollment.save()
    _notify_decision(enrollment)
    return enrollment


def _promote_waitlisted(cohort: Cohort) -> list[Enrollment]:
    """Give freed seats to the first in the waiting list. Call with the cohort locked.

    Someone whose region has used its quota stays in the list and keeps their place; the next
    in line may be from another region. A full cohort ends the promotion."""
    promoted = []
    seats = Seats(cohort)
    waiting = (
        Enrollment.objects.select_for_update()
        .filter(cohort=cohort, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
    )
    for enrollment in waiting:
        if refusal := seats.refusal(enrollment.region_id):
            if refusal.region:
                continue
            break
        seats.take(enrollment.region_id)
        enrollment.status = Status.ENROLLED
        enrollment.decided_at = now()
        enrollment.save(update_fields=["status", "decided_at"])
        notify(
            enrollment.user,
            "courses/email/waitlist_promoted",
            {"enrollment": enrollment, "cohort": cohort, "course": cohort.course},
        )
        promoted.append(enrollment)
    return promoted


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, by) -> Enrollment:
    """The learner leaves (or withdraws the application). What they did stays recorded."""
    cohort = cohort_locked(enrollment.cohort_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status not in (Status.PENDING, Status.WAITLISTED, Status.ENROLLED):
        raise CourseError(_("Эту заявку уже нельзя отозвать."))
    held_seat = enrollment.status == Status.ENROLLED
    enrollment.status = Status.WITHDRAWN
    enrollment.decided_at = now()
    enrollment.decided_by = by
    enrollment.save()
    if held_seat:
        _promote_waitlisted(cohort)
    return enrollment


@transaction.atomic
def enrollment_move(*, enrollment: Enrollment, to_cohort: Cohort, by) -> Enrollment:
    """Move a learner to another cohort of the same course, keeping attendance and progress."""
    first, second = sorted([enrollment.cohort_id, to_cohort.pk])
    locked = {pk: cohort_locked(pk) for pk in (first, second)}
    source, target = locked[enrollment.cohort_id], locked[to_cohort.pk]
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if source.pk == target.pk:
        raise CourseError(_("Слушатель уже в этом потоке."))
    if source.course_id != target.course_id:
        raise CourseError(_("Перевести можно только в поток того же курса."))
    if enrollment.status != Status.ENROLLED:
        raise CourseError(_("Перевести можно только зачисленного слушателя."))
    if refusal := seat_refusal(target, enrollment.region_id):
        raise CourseError(str(refusal))
    enrollment.status = Status.TRANSFERRED
    enrollment.decided_at = now()
    enrollment.decided_by = by
    enrollment.save()
    moved = Enrollment.objects.create(
        user=enrollment.user,
        cohort=target,
        region=enrollment.region,
        status=Status.ENROLLED,
        position=enrollment.position,
        organisation_name=enrollment.organisation_name,
        motivation=enrollment.motivation,
        applied_at=enrollment.applied_at,
        decided_at=now(),
        decided_by=by,
        transferred_from=enrollment,
        supervisions_attended=enrollment.supervisions_attended,
    )
    _promote_waitlisted(source)
    notify(
        moved.user,
        "courses/email/moved",
        {"enrollment": moved, "cohort": target, "previous": source, "course": target.course},
    )
    return moved


@transaction.atomic
def attendance_mark(*, session: SeminarSession, marks: dict[int, str], by) -> int:
    """Record attendance marks {enrollment id: status}; returns how many changed.

    Marks are taken once the seminar has begun, and not for a cancelled one. Only enrolments
    of the session's cohort that hold a seat can be marked. The empty status sets a mistaken
    mark back to «не отмечено»: the row stays, so every change is kept in AttendanceChange with
    who and when. A completion already reached stands (its certificate is issued); a later
    correction is in the history for the coordinator to act on.
    """
    # Locked, so two submits at once (a double click, two trainers) mark one after the other.
    session = SeminarSession.objects.select_for_update().get(pk=session.pk)
    if session.cancelled:
        raise CourseError(_("Семинар отменён: посещаемость не отмечается."))
    if not session.has_started:
        raise CourseError(_("Семинар ещё не начался: посещаемость отмечается с его начала."))
    valid = set(
        Enrollment.objects.filter(
            cohort_id=session.cohort_id, pk__in=marks, status__in=SEAT_STATUSES
        ).values_list("pk", flat=True)
    )
    existing = {a.enrollment_id: a for a in Attendance.objects.filter(session=session)}
    changed = []
    with versions.batch():  # what the marks make stale is found once, for the whole roster
        for enrollment_id, status in marks.items():
            if enrollment_id not in valid or status not in Attendance.Status.values:
                continue
            attendance = existing.get(enrollment_id)
            old = attendance.status if attendance else ""
            if old == status:
                continue
            if attendance is None:
                attendance = Attendance.objects.create(
                    session=session, enrollment_id=enrollment_id, status=status, marked_by=by
                )
            else:
                attendance.status = status
                attendance.marked_by = by
                attendance.marked_at = now()
                attendance.save(update_fields=["status", "marked_by", "marked_at"])
            AttendanceChange.objects.create(
                attendance=attendance, old_status=old, new_status=status, changed_by=by
            )
            changed.append(enrollment_id)
        completions_evaluate(enrollment_ids=changed)
    return len(changed)


@transaction.atomic
def module_mark_studied(*, user, module: CourseModule) -> ModuleProgress:
    progress, _created = ModuleProgress.objects.get_or_create(user=user, module=module)
    completions_evaluate(
        enrollment_ids=Enrollment.objects.filter(
            user=user, cohort__course_id=module.course_id, status=Status.ENROLLED
        ).values_list("pk", flat=True)
    )
    return progress


@transaction.atomic
def enrollment_supervisions_set(*, enrollment: Enrollment, count: int) -> None:
    """Called by the supervision app when a learner's attended supervisions change."""
    enrollment.supervisions_attended = count
    enrollment.save(update_fields=["supervisions_attended"])
    completions_evaluate(enrollment_ids=[enrollment.pk])


def completions_evaluate(*, enrollment_ids) -> int:
    """Complete, once, every enrolment among ``enrollment_ids`` that now meets its course's
    rules; returns how many. Progress is computed for all of them in one batch (a whole
    roster marked «все присутствовали» costs the same few queries as one mark). The completion
    event is raised after commit for the certificates app."""
    with transaction.atomic(), versions.batch():
        enrollments = list(
            Enrollment.objects.select_for_update(of=("self",))
            .filter(pk__in=list(enrollment_ids), status=Status.ENROLLED)
            .select_related("cohort__course", "user", "user__region")
        )
        progress = progress_for_enrollments(enrollments)
        done = [e for e in enrollments if progress[e.pk].complete]
        for enrollment in done:
            enrollment.status = Status.COMPLETED
            enrollment.completed_at = now()
            enrollment.save(update_fields=["status", "completed_at"])
            transaction.on_commit(
                lambda pk=enrollment.pk: enrollment_completed.send(
                    sender=Enrollment, enrollment_id=pk
                )
            )
            notify(
                enrollment.user,
                "courses/email/completed",
                {
                    "enrollment": enrollment,
                    "cohort": enrollment.cohort,
                    "course": enrollment.cohort.course,
                },
            )
    return len(done)


REMINDER_AHEAD = timedelta(hours=24)


def session_reminders_send(*, at=None) -> int:
    """E-mail every learner of a seminar that starts within the next 24 hours, once.

    The SessionReminder row is written in the same transaction that queues the e-mail, so a
    second run (a restarted beat, two workers) finds the row and sends nothing again.
    """
    at = at or now()
    sent = 0
    sessions = SeminarSession.objects.filter(
        cancelled=False, starts_at__gt=at, starts_at__lte=at + REMINDER_AHEAD
    ).select_related("cohort__course")
    for session in sessions:
        learners = Enrollment.objects.filter(
            cohort_id=session.cohort_id, status=Status.ENROLLED
        ).exclude(user__in=SessionReminder.objects.filter(session=session).values("user"))
        for enrollment in learners.select_related("user", "user__region"):
            with transaction.atomic():
                _reminder, created = SessionReminder.objects.get_or_create(
                    session=session, user=enrollment.user
                )
                if created:
                    notify(
                        enrollment.user,
                        "courses/email/session_reminder",
                        {"session": session, "course": session.cohort.course},
                    )
                    sent += 1
    return sent
