from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.exports import table_response
from lms.models import Role
from lms.versions import piece

from . import importing, permissions, services, versions
from .forms import (
    ApplicationForm,
    DecisionForm,
    MoveForm,
    RosterUploadForm,
    SessionForm,
)
from .models import (
    OVER_STATUSES,
    Attendance,
    Cohort,
    Course,
    CourseModule,
    Enrollment,
    SeminarSession,
)
from .selectors import learners_at_risk, progress_for_enrollments

Status = Enrollment.Status
ROSTER_PAGE_SIZE = 50
APPLICATIONS_PAGE_SIZE = 20


def _role_required(request, *roles):
    """A 404 for people without the role: the page's existence is nobody else's business."""
    if not request.user.has_role(*roles):
        raise Http404


# Public ---------------------------------------------------------------------------------------


COHORTS_ON_LIST = 5  # open cohorts named per course on the list; the course page has them all


def course_list(request):
    """Published courses, each with how many cohorts take applications and in how many regions,
    and the first few of them open in the reader's region: the page costs the same with ten
    open cohorts or a thousand."""
    at = now()
    # The one rule of what is open (Cohort.objects.open_for_applications), asked as a subquery.
    open_ = Q(cohorts__in=Cohort.objects.open_for_applications(at).values("pk"))
    courses = Course.objects.filter(is_published=True).annotate(
        open_count=Count("cohorts", filter=open_, distinct=True),
        open_regions=Count("cohorts__regions", filter=open_, distinct=True),
    )
    region_id = getattr(request.user, "region_id", None)
    if region_id:
        courses = courses.prefetch_related(
            Prefetch(
                "cohorts",
                queryset=Cohort.objects.open_for_applications(at)
                .filter(regions=region_id)
                .order_by("applications_close_at", "pk")[:COHORTS_ON_LIST],
                to_attr="open_here",
            )
        )
    return render(request, "courses/course_list.html", {"courses": courses})


def course_detail(request, slug):
    course = get_object_or_404(Course.objects.filter(is_published=True), slug=slug)
    cohorts = course.cohorts.open_for_applications().with_fill().prefetch_related("regions")
    mine = {}
    if request.user.is_authenticated:
        mine = {
            e.cohort_id: e
            for e in Enrollment.objects.active().filter(user=request.user, cohort__course=course)
        }
    return render(
        request,
        "courses/course_detail.html",
        {"course": course, "modules": course.modules.all(), "cohorts": cohorts, "mine": mine},
    )


# Learner --------------------------------------------------------------------------------------


@login_required
def cohort_apply(request, pk):
    cohort = get_object_or_404(
        Cohort.objects.open_for_applications().select_related("course"), pk=pk
    )
    user = request.user
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            already = Enrollment.objects.active().filter(user=user, cohort=cohort).exists()
            try:
                services.enrollment_apply(user=user, cohort=cohort, **form.cleaned_data)
            except services.CourseError as error:
                messages.error(request, str(error))
            else:
                if already:
                    messages.info(request, _("Ваша заявка в этот поток уже подана."))
                else:
                    messages.success(
                        request,
                        _("Заявка подана. Координатор рассмотрит её, решение придёт на %(email)s.")
                        % {"email": user.email},
                    )
                return redirect("dashboard")
    else:
        form = ApplicationForm(
            initial={"position": user.position, "organisation_name": str(user.organisation or "")}
        )
    return render(request, "courses/apply.html", {"cohort": cohort, "form": form})


@login_required
@require_POST
def enrollment_withdraw(request, pk):
    enrollment = get_object_or_404(Enrollment, pk=pk, user=request.user)
    try:
        services.enrollment_withdraw(enrollment=enrollment, by=request.user)
    except services.CourseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Вы отказались от участия. Отметки и прогресс сохранены."))
    return redirect("dashboard")


@login_required
@require_POST
def module_studied(request, pk):
    module = get_object_or_404(
        CourseModule.objects.filter(
            course__cohorts__enrollments__user=request.user,
            course__cohorts__enrollments__status__in=[Status.ENROLLED, Status.COMPLETED],
        ).distinct(),
        pk=pk,
    )
    services.module_mark_studied(user=request.user, module=module)
    messages.success(
        request, _("Модуль «%(title)s» отмечен как изученный.") % {"title": module.title}
    )
    next_url = request.POST.get("next")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return redirect(next_url)
    return redirect("dashboard")


# Trainer --------------------------------------------------------------------------------------


FINISHED_ON_TEACH = 10  # finished cohorts listed on the teaching page, the latest first


@login_required
def teach(request):
    """A trainer's cohorts that are not over, the latest few finished ones (a trainer of many
    years has dozens; ``?finished=all`` lists them all), and the seminars of the last two weeks
    and ahead to mark."""
    _role_required(request, Role.TRAINER)
    mine = Cohort.objects.filter(trainers=request.user)
    listed = mine.select_related("course").with_fill().order_by("-starts_on", "-pk")
    current = list(listed.exclude(status__in=OVER_STATUSES))
    every = request.GET.get("finished") == "all"
    finished = listed.filter(status__in=OVER_STATUSES)
    finished = list(finished if every else finished[: FINISHED_ON_TEACH + 1])
    marked = (
        Attendance.objects.filter(session=OuterRef("pk"))
        .exclude(status="")
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    own = SeminarSession.trainers.through.objects.filter(user=request.user)
    sessions = (
        SeminarSession.objects.filter(
            Q(cohort__in=mine.values("pk")) | Q(pk__in=own.values("seminarsession_id"))
        )
        .filter(cancelled=False, starts_at__gte=now() - timedelta(days=14))
        .select_related("cohort")
        .annotate(marked=Subquery(marked))
        .order_by("starts_at")[:30]
    )
    return render(
        request,
        "courses/teach.html",
        {
            "cohorts": current + (finished if every else finished[:FINISHED_ON_TEACH]),
            "finished_more": not every and len(finished) > FINISHED_ON_TEACH,
            "finished_shown": FINISHED_ON_TEACH,
            "sessions": sessions,
        },
    )


def _page_number(request) -> int:
    """The ``page`` asked for, as a number (the paginator turns an impossible one into the
    nearest page, so a kept piece never holds more than one copy of it)."""
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


def _viewer(user, *, sees_all: bool) -> str:
    """What part of a region-scoped list ``user`` sees, for a kept piece's name."""
    if sees_all:
        return "all"
    return "r" + "-".join(str(r) for r in sorted(user.coordinated_region_ids()))


@login_required
def cohort_roster(request, pk):
    cohort = permissions.staff_cohort_or_404(request.user, pk)
    can_teach = permissions.can_teach(request.user, cohort)
    can_coordinate = request.user.has_role(Role.COORDINATOR)
    number = _page_number(request)

    def roster():
        page = Paginator(
            permissions.roster_enrollments(request.user, cohort, teaches=can_teach)
            .filter(
                status__in=[Status.ENROLLED, Status.COMPLETED, Status.WAITLISTED, Status.PENDING]
            )
            .order_by("user__last_name", "user__first_name", "pk"),
            ROSTER_PAGE_SIZE,
        ).get_page(number)
        enrollments = list(page)
        for enrollment in enrollments:
            enrollment.cohort = cohort  # one cohort and course object for the page
        progress = progress_for_enrollments(
            e for e in enrollments if e.status in (Status.ENROLLED, Status.COMPLETED)
        )
        return {
            "rows": [{"enrollment": e, "progress": progress.get(e.pk)} for e in enrollments],
            "page": page,
            "sessions": cohort.sessions.order_by("starts_at"),
            "can_teach": can_teach,
            "can_coordinate": can_coordinate,
        }

    viewer = _viewer(request.user, sees_all=can_teach)
    return render(
        request,
        "courses/roster.html",
        {
            "cohort": cohort,
            "can_coordinate": can_coordinate,
            "roster": piece(
                request,
                name=f"roster:{cohort.pk}:{viewer}:{int(can_coordinate)}:{number}",
                scopes=versions.cohort_scopes([cohort.pk]),
                template="courses/roster_table.html",
                context=roster,
            ),
        },
    )


@login_required
def session_attendance(request, pk):
    session = permissions.teaching_session_or_404(request.user, pk)
    enrollments = list(
        session.cohort.enrollments.filter(status__in=[Status.ENROLLED, Status.COMPLETED])
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    current = dict(
        Attendance.objects.filter(session=session).values_list("enrollment_id", "status")
    )
    if request.method == "POST":
        if "all_present" in request.POST:
            marks = {e.pk: Attendance.Status.PRESENT for e in enrollments}
        else:
            # A row left at «не отмечено» is sent as "" and sets a mistaken mark back.
            marks = {
                e.pk: request.POST[f"mark-{e.pk}"]
                for e in enrollments
                if f"mark-{e.pk}" in request.POST
            }
        try:
            changed = services.attendance_mark(session=session, marks=marks, by=request.user)
        except services.CourseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Посещаемость сохранена, изменений: %(n)s.") % {"n": changed}
            )
        return redirect("courses:session_attendance", pk=session.pk)
    rows = [{"enrollment": e, "status": current.get(e.pk, "")} for e in enrollments]
    return render(
        request,
        "courses/attendance.html",
        {"session": session, "rows": rows, "choices": Attendance.Status.choices},
    )


@login_required
def session_edit(request, cohort_pk=None, pk=None):
    if pk is not None:
        session = get_object_or_404(SeminarSession.objects.select_related("cohort__course"), pk=pk)
        cohort = permissions.staff_cohort_or_404(request.user, session.cohort_id)
    else:
        session = None
        cohort = permissions.staff_cohort_or_404(request.user, cohort_pk)
    if request.method == "POST":
        form = SessionForm(request.POST, instance=session, cohort=cohort)
        if form.is_valid():
            form.save()
            messages.success(request, _("Семинар сохранён."))
            return redirect("courses:cohort_roster", pk=cohort.pk)
    else:
        form = SessionForm(instance=session, cohort=cohort)
    return render(
        request, "courses/session_form.html", {"form": form, "cohort": cohort, "session": session}
    )


@login_required
def attendance_export(request, pk, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    cohort = permissions.staff_cohort_or_404(request.user, pk)
    sessions = list(cohort.sessions.filter(cancelled=False).order_by("starts_at"))
    enrollments = list(
        permissions.roster_enrollments(request.user, cohort)
        .filter(
            status__in=[Status.ENROLLED, Status.COMPLETED, Status.TRANSFERRED, Status.WITHDRAWN]
        )
        .order_by("user__last_name", "user__first_name")
    )
    marks = {
        (a["session_id"], a["enrollment_id"]): a["status"]
        for a in Attendance.objects.filter(session__in=sessions).values(
            "session_id", "enrollment_id", "status"
        )
    }
    labels = dict(Attendance.Status.choices)
    header = [_("ФИО"), _("E-mail"), _("Организация"), _("Статус")] + [
        f"{date_format(timezone.localtime(s.starts_at), 'd.m.Y H:i')} {s.title}" for s in sessions
    ]
    rows = [
        [e.user.get_full_name(), e.user.email, e.organisation_name, e.get_status_display()]
        + [str(labels.get(marks.get((s.pk, e.pk)), "")) for s in sessions]
        for e in enrollments
    ]
    return table_response(
        header, rows, fmt=fmt, filename=f"attendance-cohort-{cohort.pk}", sheet=_("Посещаемость")
    )


# Coordinator ----------------------------------------------------------------------------------


@login_required
def coordinate(request):
    _role_required(request, Role.COORDINATOR)
    user = request.user
    number = _page_number(request)

    def lists():
        return {
            "pending": Paginator(
                permissions.coordinated_enrollments(user)
                .filter(status__in=[Status.PENDING, Status.WAITLISTED])
                .order_by("status", "applied_at", "pk"),
                APPLICATIONS_PAGE_SIZE,
            ).get_page(number),
            "cohorts": (
                Cohort.objects.visible_to_coordinator(user)
                .exclude(status=Cohort.Status.CANCELLED)
                .select_related("course")
                .with_fill()
                .order_by("-starts_on")
            ),
            "at_risk": learners_at_risk(permissions.coordinated_enrollments(user)),
            "decision_form": DecisionForm(),
        }

    sees_all = permissions.is_admin(user)
    if sees_all:
        scopes = [versions.EVERY_REGION]
    else:
        scopes = [versions.region_scope(r) for r in sorted(user.coordinated_region_ids())]
    return render(
        request,
        "courses/coordinate.html",
        {
            "coordination": piece(
                request,
                name=f"coordinate:{_viewer(user, sees_all=sees_all)}:{number}",
                scopes=[*scopes, versions.ALL],
                template="courses/coordinate_lists.html",
                context=lists,
            )
        },
    )


@login_required
@require_POST
def enrollment_decide(request, pk):
    _role_required(request, Role.COORDINATOR)
    enrollment = get_object_or_404(permissions.coordinated_enrollments(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите решение."))
        return redirect("courses:coordinate")
    try:
        enrollment = services.enrollment_decide(
            enrollment=enrollment,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except services.CourseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": enrollment.user.get_full_name(), "status": enrollment.get_status_display()},
        )
    return redirect("courses:coordinate")


@login_required
def enrollment_move(request, pk):
    _role_required(request, Role.COORDINATOR)
    enrollment = get_object_or_404(
        permissions.coordinated_enrollments(request.user).filter(status=Status.ENROLLED), pk=pk
    )
    form = MoveForm(request.POST or None, enrollment=enrollment)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.enrollment_move(
                enrollment=enrollment, to_cohort=form.cleaned_data["cohort"], by=request.user
            )
        except services.CourseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s переведён(а) в поток «%(cohort)s».")
                % {"name": moved.user.get_full_name(), "cohort": moved.cohort.title},
            )
            return redirect("courses:cohort_roster", pk=moved.cohort_id)
    return render(request, "courses/move.html", {"enrollment": enrollment, "form": form})


@login_required
def cohort_import(request, pk):
    _role_required(request, Role.COORDINATOR)
    cohort = get_object_or_404(
        Cohort.objects.visible_to_coordinator(request.user).select_related("course"), pk=pk
    )
    report = None
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            report = importing.roster_import(
                cohort=cohort,
                uploaded=form.cleaned_data["file"],
                by=request.user,
                request=request,
            )
            if report.saved:
                messages.success(
                    request,
                    _("Список загружен: зачислено %(created)s, уже были в потоке %(existing)s.")
                    % {"created": report.enrolled_count, "existing": report.existing_count},
                )
            else:
                messages.error(
                    request, _("Список не загружен: исправьте ошибки и загрузите файл снова.")
                )
    else:
        form = RosterUploadForm()
    return render(
        request, "courses/import.html", {"cohort": cohort, "form": form, "report": report}
    )
