import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import versions as courses_versions
from courses.models import Cohort, SeminarSession
from lms.calendar import ics_response, render_single_event_ics
from lms.models import Role
from lms.sanitize import clean_html_safe
from lms.uploads import content_type_for
from lms.versions import piece

from . import services, versions
from .calendar import booking_event
from .forms import CaseForm, MoveForm, NoteForm, SessionForm
from .models import SEAT_STATUSES, Booking, CaseAttachment, CaseSubmission, SupervisionSession
from .permissions import (
    can_read_case,
    can_read_confidential,
    learner_session_or_404,
    supervisor_session_or_404,
)

Status = Booking.Status


def _supervisor_required(request):
    if not request.user.has_role(Role.TRAINER):
        raise Http404


# Learners --------------------------------------------------------------------------------------


@login_required
def session_list(request):
    """Supervisions a learner can book, and their own bookings."""
    user = request.user
    sessions = (
        SupervisionSession.objects.open_to(user)
        .scheduled()
        .filter(ends_at__gt=timezone.now())
        .select_related("supervisor", "cohort", "course")
        .annotate(taken=Count("bookings", filter=Q(bookings__status__in=SEAT_STATUSES)))
        .order_by("starts_at")[:100]
    )
    mine = {
        b.session_id: b for b in Booking.objects.filter(user=user).exclude(status=Status.CANCELLED)
    }
    sessions = list(sessions)
    for session in sessions:
        session.my_booking = mine.get(session.pk)
    return render(request, "supervision/session_list.html", {"sessions": sessions})


@login_required
def session_detail(request, pk):
    """One page for everyone who may see the session: its learners and its supervisor."""
    user = request.user
    session = get_object_or_404(
        SupervisionSession.objects.select_related("supervisor", "cohort__course", "course", "note"),
        pk=pk,
    )
    is_supervisor = session.supervisor_id == user.pk or user.has_role(Role.ADMIN)
    if not is_supervisor and not session.is_open_to(user):
        raise Http404
    bookings = list(
        session.bookings.exclude(status=Status.CANCELLED)
        # Only the supervisor's list names the people; a learner sees seats and case titles.
        .select_related(*(("user", "case") if is_supervisor else ("case",)))
        .order_by("status", "booked_at")
    )
    mine = next((b for b in bookings if b.user_id == user.pk), None)
    participant = mine is not None and mine.status in SEAT_STATUSES
    note = getattr(session, "note", None) if (is_supervisor or participant) else None
    context = {
        "session": session,
        "is_supervisor": is_supervisor,
        "bookings": bookings if is_supervisor else [],
        "participants_cases": [
            b.case
            for b in bookings
            if hasattr(b, "case")
            and b.status in SEAT_STATUSES
            and session.kind == session.Kind.GROUP
            and participant
            and b.user_id != user.pk
        ],
        "mine": mine,
        "taken": sum(1 for b in bookings if b.status in SEAT_STATUSES),
        "clashes": services.learner_clashes(user, session)
        if not is_supervisor and not mine
        else [],
        "note": note,
        "show_confidential": can_read_confidential(user, session),
        "note_form": NoteForm(
            initial={"shared": note.shared, "confidential": note.confidential} if note else None
        )
        if is_supervisor
        else None,
        "now": timezone.now(),
        "marking": is_supervisor and session.has_started and not session.is_cancelled,
    }
    return render(request, "supervision/session_detail.html", context)


@login_required
@require_POST
def book(request, pk):
    session = learner_session_or_404(request.user, pk)
    clashes = services.learner_clashes(request.user, session)
    if clashes and not request.POST.get("confirm_clash"):
        messages.warning(request, _("Проверьте пересечения и подтвердите запись."))
        return redirect("supervision:session_detail", pk=pk)
    action = services.waitlist_join if request.POST.get("waitlist") else services.booking_create
    try:
        booking = action(session=session, user=request.user)
    except services.SupervisionError as error:
        messages.error(request, str(error))
    else:
        if booking.status == Status.WAITLISTED:
            messages.success(
                request, _("Вы в листе ожидания. Если место освободится, придёт письмо.")
            )
        else:
            messages.success(request, _("Вы записаны на супервизию."))
    return redirect("supervision:session_detail", pk=pk)


@login_required
@require_POST
def booking_cancel(request, pk):
    booking = get_object_or_404(Booking, pk=pk, user=request.user)
    try:
        services.booking_cancel(booking=booking, by=request.user)
    except services.SupervisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Запись отменена."))
    return redirect("supervision:session_detail", pk=booking.session_id)


@login_required
def booking_ics(request, pk):
    booking = get_object_or_404(
        Booking.objects.select_related("session__supervisor"), pk=pk, user=request.user
    )
    content = render_single_event_ics(request.user, booking_event(booking))
    return ics_response(content, filename=f"supervision-{booking.session_id}.ics")


@login_required
def case_edit(request, pk):
    booking = get_object_or_404(
        Booking.objects.select_related("session"),
        pk=pk,
        user=request.user,
        status__in=[Status.BOOKED],
    )
    case = getattr(booking, "case", None)
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        initial={"title": case.title, "text": case.text} if case else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_submit(
                booking=booking,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                confirmed=form.cleaned_data["anonymised"],
                shown=form.fingerprint,
            )
        except services.SupervisionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Случай отправлен супервизору."))
            return redirect("supervision:session_detail", pk=booking.session_id)
    return render(
        request,
        "supervision/case_form.html",
        {
            "form": form,
            "booking": booking,
            "case": case,
            "findings": getattr(form, "findings", []),
            "findings_shown": getattr(form, "fingerprint", ""),
        },
    )


@login_required
def case_detail(request, pk):
    case = get_object_or_404(
        CaseSubmission.objects.select_related("booking__session", "booking__user"), pk=pk
    )
    if not can_read_case(request.user, case):
        raise Http404
    return render(
        request,
        "supervision/case_detail.html",
        {
            "case": case,
            "text": clean_html_safe(case.text),
            "attachments": case.attachments.all(),
        },
    )


@login_required
def attachment_download(request, pk):
    """Case files only through here: who asks is checked; served as a download, never inline."""
    attachment = get_object_or_404(
        CaseAttachment.objects.select_related("case__booking__session"), pk=pk
    )
    if not can_read_case(request.user, attachment.case):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=content_type_for(attachment.kind),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Supervisors -----------------------------------------------------------------------------------


def _period(view: str, value: str | None) -> tuple[dt.date, dt.date, dt.date]:
    """(first day, day after the last, first day of the previous period) of the week or month
    that holds ``value`` (an ISO date; today when missing or malformed)."""
    try:
        day = dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    if view == "month":
        start = day.replace(day=1)
        return (
            start,
            (start + dt.timedelta(days=32)).replace(day=1),
            (start - dt.timedelta(days=1)).replace(day=1),
        )
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=7), start - dt.timedelta(days=7)


@login_required
def calendar(request):
    """The supervisor's week or month: supervisions with their bookings, and seminars."""
    _supervisor_required(request)
    view = "month" if request.GET.get("view") == "month" else "week"
    start, end, previous = _period(view, request.GET.get("start"))
    user = request.user
    today = timezone.localdate()

    def days():
        days = _calendar_days(user, start, end)
        if view == "week":
            return {"days": days, "today": today}
        monday = start - dt.timedelta(days=start.weekday())
        return {
            "month": start,
            "weeks": _month_weeks(days),
            "weekdays": [monday + dt.timedelta(days=n) for n in range(7)],
            "today": today,
        }

    # The seminars shown are those of the cohorts the supervisor teaches, or of the seminars
    # they were added to: the calendar is kept under those cohorts' versions.
    cohort_ids = list(
        Cohort.objects.filter(Q(trainers=user) | Q(sessions__trainers=user))
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    return render(
        request,
        "supervision/calendar.html",
        {
            "view": view,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "previous": previous,
            "next": end,
            "calendar": piece(
                request,
                name=f"calendar:{user.pk}:{start.isoformat()}:{end.isoformat()}:{today}",
                scopes=[
                    versions.supervisor_scope(user.pk),
                    *courses_versions.cohort_scopes(cohort_ids),
                ],
                template="supervision/calendar_days.html",
                context=days,
            ),
        },
    )


def _calendar_days(user, start, end) -> dict:
    """Each local day from ``start`` to ``end`` with the supervisions and seminars starting on
    it, in order."""
    zone = timezone.get_current_timezone()
    window = (
        dt.datetime.combine(start, dt.time(), zone),
        dt.datetime.combine(end, dt.time(), zone),
    )
    sessions = (
        SupervisionSession.objects.filter(
            supervisor=user, starts_at__lt=window[1], ends_at__gt=window[0]
        )
        .select_related("cohort", "course")
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=SEAT_STATUSES)),
            waiting=Count("bookings", filter=Q(bookings__status=Status.WAITLISTED)),
        )
        .order_by("starts_at")
    )
    seminars = (
        SeminarSession.objects.filter(
            Q(cohort__trainers=user) | Q(trainers=user),
            starts_at__lt=window[1],
            ends_at__gt=window[0],
            cancelled=False,
        )
        .select_related("cohort")
        .distinct()
        .order_by("starts_at")
    )
    days = {}
    day = start
    while day < end:
        days[day] = []
        day += dt.timedelta(days=1)
    for item in list(sessions) + list(seminars):
        local_day = timezone.localtime(item.starts_at).date()
        if local_day in days:
            days[local_day].append(item)
    for items in days.values():
        items.sort(key=lambda item: item.starts_at)
    return days


def _month_weeks(days: dict) -> list[list[tuple]]:
    """A month's (day, items) in rows of seven from Monday, the Russian week, padded with blank
    cells ``(None, [])`` before the 1st and after the last day so each date sits under its
    weekday."""
    cells = [(None, [])] * next(iter(days)).weekday() + list(days.items())
    cells += [(None, [])] * (-len(cells) % 7)
    return [cells[n : n + 7] for n in range(0, len(cells), 7)]


@login_required
def session_create(request):
    _supervisor_required(request)
    form = SessionForm(request.POST or None, supervisor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.session_fields()
        try:
            if form.cleaned_data.get("repeat"):
                created = services.series_create(
                    supervisor=request.user,
                    frequency=form.cleaned_data["repeat"],
                    count=form.cleaned_data["occurrences"],
                    **fields,
                )
            else:
                created = [services.session_create(supervisor=request.user, **fields)]
        except services.SupervisionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Создано супервизий: %(n)s.") % {"n": len(created)})
            start = timezone.localtime(created[0].starts_at).date().isoformat()
            return redirect(f"{reverse('supervision:calendar')}?start={start}")
    return render(request, "supervision/session_form.html", {"form": form})


@login_required
def session_move(request, pk):
    session = supervisor_session_or_404(request.user, pk)
    form = MoveForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_move(
                session=session,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                by=request.user,
            )
        except services.SupervisionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Супервизия перенесена, участники получат письмо."))
            return redirect("supervision:session_detail", pk=pk)
    return render(request, "supervision/move.html", {"form": form, "session": session})


@login_required
@require_POST
def session_cancel(request, pk):
    session = supervisor_session_or_404(request.user, pk)
    services.session_cancel(session=session, by=request.user)
    messages.success(request, _("Супервизия отменена, участники получат письмо."))
    return redirect("supervision:session_detail", pk=pk)


@login_required
@require_POST
def attendance(request, pk):
    session = supervisor_session_or_404(request.user, pk)
    marks = {
        int(key.split("-", 1)[1]): value
        for key, value in request.POST.items()
        if key.startswith("mark-") and key.split("-", 1)[1].isdigit()
    }
    try:
        changed = services.attendance_mark(session=session, marks=marks, by=request.user)
    except services.SupervisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Отметки сохранены, изменений: %(n)s.") % {"n": changed})
    return redirect("supervision:session_detail", pk=pk)


@login_required
@require_POST
def note_save(request, pk):
    session = supervisor_session_or_404(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_save(session=session, by=request.user, **form.cleaned_data)
        messages.success(request, _("Заметки сохранены."))
    else:
        messages.error(request, _("Заметки не сохранены: текст слишком длинный."))
    return redirect("supervision:session_detail", pk=pk)
