"""Writes of supervision: scheduling, booking under lock, cases, attendance, notes, reminders,
and the deletion of case texts on schedule."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _

from courses.models import SEAT_STATUSES as ENROLLED_STATUSES
from courses.models import Enrollment, SeminarSession
from courses.services import enrollment_supervisions_set
from lms.notify import notify
from lms.sanitize import clean_html
from lms.uploads import safe_filename

from .anonymity import review
from .models import (
    SEAT_STATUSES,
    Booking,
    BookingReminder,
    CaseAttachment,
    CaseDeletion,
    CaseSubmission,
    SessionNote,
    SupervisionSeries,
    SupervisionSession,
)


class SupervisionError(Exception):
    """A refusal the user should read: the message is already translated."""


Status = Booking.Status


def _when(start) -> str:
    return date_format(localtime(start), "j E Y, H:i")


# Clashes ---------------------------------------------------------------------------------------


def supervisor_clashes(supervisor, starts_at, ends_at, *, exclude=None) -> list[str]:
    """The supervisor's own sessions (supervision or seminar) that overlap the given time."""
    own = SupervisionSession.objects.scheduled().filter(
        supervisor=supervisor, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        own = own.exclude(pk=exclude.pk)
    seminars = SeminarSession.objects.filter(
        Q(cohort__trainers=supervisor) | Q(trainers=supervisor),
        cancelled=False,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).distinct()
    return [
        _("супервизия «%(title)s», %(when)s") % {"title": s.title, "when": _when(s.starts_at)}
        for s in own
    ] + [
        _("семинар «%(title)s», %(when)s") % {"title": s.title, "when": _when(s.starts_at)}
        for s in seminars
    ]


def learner_clashes(user, session: SupervisionSession) -> list[str]:
    """The learner's seminars and other bookings that overlap ``session``."""
    seminars = SeminarSession.objects.filter(
        cohort__enrollments__user=user,
        cohort__enrollments__status__in=ENROLLED_STATUSES,
        cancelled=False,
        starts_at__lt=session.ends_at,
        ends_at__gt=session.starts_at,
    ).distinct()
    bookings = (
        Booking.objects.filter(
            user=user,
            status__in=[Status.BOOKED, Status.WAITLISTED],
            session__status=SupervisionSession.Status.SCHEDULED,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session=session)
        .select_related("session")
    )
    return [
        _("семинар «%(title)s», %(when)s") % {"title": s.title, "when": _when(s.starts_at)}
        for s in seminars
    ] + [
        _("супервизия «%(title)s», %(when)s")
        % {"title": b.session.title, "when": _when(b.session.starts_at)}
        for b in bookings
    ]


def _refuse_clashes(clashes):
    if clashes:
        raise SupervisionError(
            _("В это время у вас уже есть: %(items)s. Выберите другое время.")
            % {"items": "; ".join(clashes)}
        )


# Scheduling ------------------------------------------------------------------------------------


@transaction.atomic
def session_create(*, supervisor, **fields) -> SupervisionSession:
    _refuse_clashes(supervisor_clashes(supervisor, fields["starts_at"], fields["ends_at"]))
    if fields.get("kind") == SupervisionSession.Kind.INDIVIDUAL:
        fields["capacity"] = 1
    return SupervisionSession.objects.create(supervisor=supervisor, **fields)


@transaction.atomic
def series_create(*, supervisor, frequency: str, count: int, **fields) -> list[SupervisionSession]:
    """``count`` sessions a week or two apart, each with its booking window moved along.
    Refused whole if any occurrence clashes."""
    step = timedelta(weeks=1 if frequency == SupervisionSeries.Frequency.WEEKLY else 2)
    occurrences = []
    clashes = []
    for n in range(count):
        shifted = {
            **fields,
            **{
                key: fields[key] + step * n
                for key in ("starts_at", "ends_at", "booking_opens_at", "booking_closes_at")
            },
        }
        clashes += supervisor_clashes(supervisor, shifted["starts_at"], shifted["ends_at"])
        occurrences.append(shifted)
    _refuse_clashes(clashes)
    series = SupervisionSeries.objects.create(supervisor=supervisor, frequency=frequency)
    if fields.get("kind") == SupervisionSession.Kind.INDIVIDUAL:
        for occurrence in occurrences:
            occurrence["capacity"] = 1
    return [
        SupervisionSession.objects.create(supervisor=supervisor, series=series, **occurrence)
        for occurrence in occurrences
    ]


def _participants(session):
    return [
        b.user
        for b in session.bookings.filter(
            status__in=[Status.BOOKED, Status.WAITLISTED]
        ).select_related("user", "user__region")
    ]


@transaction.atomic
def session_move(*, session: SupervisionSession, starts_at, ends_at, by) -> SupervisionSession:
    """Move one occurrence; the others of its series stay. Participants are told."""
    session = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    _refuse_clashes(supervisor_clashes(session.supervisor, starts_at, ends_at, exclude=session))
    # Booking closes as long before the new time as before the old one; it opens no later.
    session.booking_closes_at = min(
        session.booking_closes_at + (starts_at - session.starts_at), starts_at
    )
    session.booking_opens_at = min(
        session.booking_opens_at, session.booking_closes_at - timedelta(minutes=1)
    )
    session.starts_at, session.ends_at = starts_at, ends_at
    session.sequence += 1
    session.save()
    for user in _participants(session):
        notify(user, "supervision/email/moved", {"session": session})
    return session


@transaction.atomic
def session_cancel(*, session: SupervisionSession, by) -> SupervisionSession:
    session = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        return session
    session.status = SupervisionSession.Status.CANCELLED
    session.sequence += 1
    session.save()
    for user in _participants(session):
        notify(user, "supervision/email/cancelled", {"session": session})
    return session


# Booking ---------------------------------------------------------------------------------------


def _locked(session_id) -> SupervisionSession:
    return SupervisionSession.objects.select_for_update().get(pk=session_id)


def _seats_taken(session) -> int:
    return Booking.objects.filter(session=session, status__in=SEAT_STATUSES).count()


def _check_can_book(session, user, at):
    if session.is_cancelled:
        raise SupervisionError(_("Эта супервизия отменена."))
    if not session.is_open_to(user):
        raise SupervisionError(_("Эта супервизия для слушателей другого потока или курса."))
    if at < session.booking_opens_at:
        raise SupervisionError(
            _("Запись откроется %(when)s.") % {"when": _when(session.booking_opens_at)}
        )
    if at >= session.booking_closes_at:
        raise SupervisionError(_("Запись на эту супервизию закрыта."))


@transaction.atomic
def booking_create(*, session: SupervisionSession, user, at=None) -> Booking:
    """Book a seat. The session row is locked while seats are counted, so two people never get
    the last seat; booking twice returns the first booking."""
    at = at or now()
    session = _locked(session.pk)
    existing = (
        Booking.objects.filter(session=session, user=user).exclude(status=Status.CANCELLED).first()
    )
    if existing:
        return existing
    _check_can_book(session, user, at)
    if _seats_taken(session) >= session.capacity:
        raise SupervisionError(
            _(
                "Свободных мест нет. Можно встать в лист ожидания: если место освободится, "
                "вы получите письмо."
            )
        )
    booking = Booking.objects.create(session=session, user=user, status=Status.BOOKED)
    notify(user, "supervision/email/booked", {"session": session, "booking": booking})
    return booking


@transaction.atomic
def waitlist_join(*, session: SupervisionSession, user, at=None) -> Booking:
    at = at or now()
    session = _locked(session.pk)
    existing = (
        Booking.objects.filter(session=session, user=user).exclude(status=Status.CANCELLED).first()
    )
    if existing:
        return existing
    _check_can_book(session, user, at)
    return Booking.objects.create(
        session=session, user=user, status=Status.WAITLISTED, waitlisted_at=at
    )


@transaction.atomic
def booking_cancel(*, booking: Booking, by, at=None) -> Booking:
    """Cancel inside the window frees the seat for the first in line. After the window the
    booking stays and the supervisor marks it excused or absent."""
    at = at or now()
    session = _locked(booking.session_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in (Status.BOOKED, Status.WAITLISTED):
        raise SupervisionError(_("Эту запись уже нельзя отменить."))
    if booking.status == Status.BOOKED and at > session.cancellation_deadline():
        raise SupervisionError(
            _(
                "Отменить запись можно было до %(when)s. Если не сможете прийти, напишите "
                "супервизору: он отметит уважительную причину."
            )
            % {"when": _when(session.cancellation_deadline())}
        )
    held_seat = booking.status == Status.BOOKED
    booking.status = Status.CANCELLED
    booking.cancelled_at = at
    booking.save(update_fields=["status", "cancelled_at"])
    if held_seat:
        _promote_waitlisted(session)
    return booking


def _promote_waitlisted(session):
    """Give a freed seat to the first in line, once. Call with the session locked."""
    if session.is_cancelled or _seats_taken(session) >= session.capacity:
        return None
    first = (
        Booking.objects.select_for_update(of=("self",))
        .filter(session=session, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .select_related("user", "user__region")
        .first()
    )
    if first is None:
        return None
    first.status = Status.BOOKED
    first.save(update_fields=["status"])
    notify(first.user, "supervision/email/promoted", {"session": session, "booking": first})
    return first


# After the session -----------------------------------------------------------------------------


def _count_supervisions(user):
    """Update attended-supervision counts on the user's enrolments (courses' completion)."""
    attended = Booking.objects.filter(
        user=user, status=Status.ATTENDED, session__starts_at__lte=now()
    ).values_list("session__cohort_id", "session__cohort__course_id", "session__course_id")
    for enrollment in Enrollment.objects.filter(
        user=user, status__in=[Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED]
    ).select_related("cohort"):
        course_id = enrollment.cohort.course_id
        count = sum(
            1 for _c, cohort_course, course in attended if course_id in (cohort_course, course)
        )
        if count != enrollment.supervisions_attended:
            enrollment_supervisions_set(enrollment=enrollment, count=count)


@transaction.atomic
def attendance_mark(*, session: SupervisionSession, marks: dict[int, str], by) -> int:
    """Mark attended / absent / excused on bookings that hold a seat, once the session has
    begun; «booked» sets a mistaken mark back to «не отмечено». Returns how many changed."""
    session = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise SupervisionError(_("Супервизия отменена: посещаемость не отмечается."))
    if not session.has_started:
        raise SupervisionError(
            _("Супервизия ещё не началась: посещаемость отмечается с её начала.")
        )
    allowed = {Status.BOOKED, Status.ATTENDED, Status.ABSENT, Status.EXCUSED}
    changed = 0
    changed_users = set()
    for booking in session.bookings.filter(pk__in=marks, status__in=SEAT_STATUSES).select_related(
        "user"
    ):
        status = marks[booking.pk]
        if status in allowed and booking.status != status:
            booking.status = status
            booking.marked_by = by
            booking.save(update_fields=["status", "marked_by"])
            changed += 1
            changed_users.add(booking.user)
    for user in changed_users:
        _count_supervisions(user)
    return changed


@transaction.atomic
def note_save(*, session: SupervisionSession, shared: str, confidential: str, by) -> SessionNote:
    note, _created = SessionNote.objects.update_or_create(
        session=session,
        defaults={
            "shared": clean_html(shared),
            "confidential": clean_html(confidential),
            "updated_by": by,
        },
    )
    return note


# Cases -----------------------------------------------------------------------------------------


@transaction.atomic
def case_submit(
    *, booking: Booking, title: str, text: str, files=(), confirmed: bool, shown: str = ""
) -> CaseSubmission:
    """Save a case (text sanitised through lms.sanitize) with its files (already checked by
    content). The anonymity check (`supervision.anonymity.review`) is run here, whoever calls:
    nothing never anonymous is saved, and the person must have confirmed the case is anonymised
    after being shown what looks like personal data (``shown``: the fingerprint of what they
    were shown)."""
    error = review(title=title, text=text, confirmed=confirmed, shown=shown).error
    if error:
        raise SupervisionError(error[1])
    if booking.status not in (Status.BOOKED, Status.ATTENDED):
        raise SupervisionError(_("Случай можно прислать только на супервизию, куда вы записаны."))
    if booking.session.starts_at <= now():
        raise SupervisionError(_("Супервизия уже началась: случай присылают заранее."))
    case, _created = CaseSubmission.objects.update_or_create(
        booking=booking,
        defaults={"title": title.strip(), "text": clean_html(text), "anonymised_confirmed": True},
    )
    for uploaded in files:
        name = safe_filename(uploaded.name)
        attachment = CaseAttachment(
            case=case,
            name=name,
            kind=getattr(uploaded, "detected_kind", ""),
            size=uploaded.size,
        )
        attachment.file.save(name, uploaded, save=False)
        attachment.save()
    return case


def cases_delete_expired(*, at=None) -> int:
    """Delete case texts and files ``LMS_CASE_RETENTION_DAYS`` after their session, leaving a
    CaseDeletion record of what was deleted and when."""
    at = at or now()
    cutoff = at - timedelta(days=settings.LMS_CASE_RETENTION_DAYS)
    deleted = 0
    for case in CaseSubmission.objects.filter(booking__session__ends_at__lt=cutoff).select_related(
        "booking__session", "booking__user"
    ):
        with transaction.atomic():
            files = list(case.attachments.all())
            CaseDeletion.objects.create(
                session=case.booking.session,
                author=case.booking.user,
                title=case.title,
                attachments=len(files),
                deleted_at=at,
            )
            for attachment in files:
                attachment.file.delete(save=False)
            case.delete()
            deleted += 1
    return deleted


# Reminders -------------------------------------------------------------------------------------

REMINDERS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))


def booking_reminders_send(*, at=None) -> int:
    """Send the 24-hour and the 1-hour reminders, once each (a BookingReminder row guards),
    never for cancelled bookings or sessions."""
    at = at or now()
    sent = 0
    for kind, ahead in REMINDERS:
        due = (
            Booking.objects.filter(
                status=Status.BOOKED,
                session__status=SupervisionSession.Status.SCHEDULED,
                session__starts_at__gt=at,
                session__starts_at__lte=at + ahead,
            )
            .exclude(reminders__kind=kind)
            .select_related("session", "user", "user__region")
        )
        for booking in due:
            if kind == "24h" and booking.session.starts_at <= at + timedelta(hours=1):
                continue  # booked at the last minute: the 1-hour reminder is enough
            with transaction.atomic():
                _row, created = BookingReminder.objects.get_or_create(booking=booking, kind=kind)
                if created:
                    notify(
                        booking.user,
                        f"supervision/email/reminder_{kind}",
                        {"session": booking.session, "booking": booking},
                    )
                    sent += 1
    return sent
