"""The cascade's pages. A region's coordinator sees and manages their region, the programme
admin every region, a team member their own team and its events; anyone else gets a 404."""

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.exports import table_response
from lms.links import absolute
from lms.models import Region, Role
from lms.uploads import content_type_for

from . import services
from .forms import (
    EventForm,
    JoinForm,
    MemberForm,
    ParticipantListForm,
    ReportForm,
    ReviewForm,
    TeamEditForm,
    TeamForm,
)
from .models import (
    Event,
    EventFile,
    Membership,
    Participation,
    Person,
    ReachRequest,
    Team,
    normalised,
)
from .reach import reach_by_wave

EVENTS_PER_PAGE = 20
GROUPS_SHOWN = 50
MERGED_PER_PAGE = 50


def managed_regions(user):
    if user.has_role(Role.ADMIN):
        # The programme's seven, and any other region where a team has been formed.
        return Region.objects.filter(
            Q(in_programme=True) | Q(pk__in=Team.objects.values("region_id"))
        )
    return Region.objects.filter(pk__in=user.coordinated_region_ids())


def _team_for(user, pk) -> Team:
    team = get_object_or_404(Team.objects.select_related("region", "lead"), pk=pk)
    if not (
        services.manages_region(user, team.region_id) or team.memberships.filter(user=user).exists()
    ):
        raise Http404
    return team


def _event_for(user, pk) -> Event:
    event = get_object_or_404(
        Event.objects.select_related("team__region", "reported_by", "reviewed_by"), pk=pk
    )
    _team_for(user, event.team_id)
    return event


def _waves_table(counts: dict) -> list[tuple[int, int]]:
    return sorted(counts.items())


@login_required
def home(request):
    """The programme's regions for the admin, a coordinator's regions, a member's teams."""
    regions = list(managed_regions(request.user))
    reach = reach_by_wave([r.pk for r in regions]) if regions else {}
    teams_in = dict(
        Team.objects.filter(region__in=regions)
        .values_list("region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    accepted_in = dict(
        Event.objects.filter(team__region__in=regions, status=Event.Status.ACCEPTED)
        .values_list("team__region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    programme = Counter()
    for counts in reach.values():
        programme.update(counts)
    waves = _waves_table(programme)
    rows = [
        {
            "region": region,
            # One column per wave of the programme: 89 rows of plain numbers.
            "by_wave": [reach.get(region.pk, {}).get(wave, 0) for wave, _n in waves],
            "total": sum(reach.get(region.pk, {}).values()),
            "teams": teams_in.get(region.pk, 0),
            "accepted": accepted_in.get(region.pk, 0),
        }
        for region in regions
    ]
    teams = (
        Team.objects.filter(memberships__user=request.user, memberships__left_on__isnull=True)
        .select_related("region")
        .distinct()
    )
    return render(
        request,
        "cascade/home.html",
        {
            "rows": rows,
            "total": sum(row["total"] for row in rows),
            "waves": waves,
            "flow": (flow := _flow(waves)),
            "flow_width": 10 + 190 * len(flow),
            "teams": teams,
            "may_form": bool(regions),
        },
    )


def _region_for(user, code) -> Region:
    region = get_object_or_404(Region, code=code)
    if not services.manages_region(user, region.pk):
        raise Http404
    return region


@login_required
def region_detail(request, code):
    region = _region_for(request.user, code)
    waves = _waves_table(reach_by_wave([region.pk]).get(region.pk, {}))
    teams = (
        Team.objects.filter(region=region)
        .select_related("lead")
        .annotate(
            members=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            ),
            accepted=Count("events", filter=Q(events__status=Event.Status.ACCEPTED), distinct=True),
        )
    )
    events = (
        Event.objects.filter(team__region=region)
        .select_related("team")
        .annotate(people=Count("participations"))
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cascade/region.html",
        {
            "region": region,
            "waves": waves,
            "total": sum(n for _wave, n in waves),
            "flow": (flow := _flow(waves)),
            "flow_width": 10 + 190 * len(flow),
            "teams": teams,
            "page_obj": page,
            "to_review": Event.objects.filter(
                team__region=region, status=Event.Status.REPORTED
            ).count(),
        },
    )


def _flow(waves) -> list[dict]:
    """Boxes for the picture of who trained whom: one per wave, width by its people."""
    largest = max((n for _wave, n in waves if _wave), default=0)
    boxes = []
    for index, (wave, people) in enumerate((w, n) for w, n in waves if w):
        height = 20 + int(90 * people / largest)
        boxes.append(
            {
                "wave": wave,
                "people": people,
                "x": 10 + index * 190,
                "y": 120 - height,
                "height": height,
            }
        )
    return boxes


@login_required
def region_people(request, code):
    """The coordinator's merge: groups of records that look like one person (or the records a
    name search finds), each with a choice of the record to keep; and the merges made, each
    undoable."""
    region = _region_for(request.user, code)
    counted = Person.objects.filter(region=region, merged_into__isnull=True).only(
        "pk",
        "full_name",
        "organisation",
        "position",
        "email",
        "user_id",
        "wave",
        "duplicates_group",
    )
    query = request.GET.get("q", "").strip()
    more, refreshing = 0, False
    if query:
        found = list(counted.filter(key__contains=normalised(query))[:GROUPS_SHOWN])
        groups = [found] if found else []
    else:
        groups, more = _duplicate_groups(counted)
        refreshing = ReachRequest.objects.exists()
    shown = [person.pk for group in groups for person in group]
    events = dict(
        Participation.objects.filter(person_id__in=shown)
        .values_list("person_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for group in groups:
        for person in group:
            person.events = events.get(person.pk, 0)
        # The record to keep by default: one with an account, then the fullest name.
        group.sort(key=lambda p: (p.user_id is None, -len(p.full_name), p.pk))
    merged = (
        Person.objects.filter(region=region, merged_into__isnull=False)
        .select_related("merged_into", "merged_by")
        .order_by("-merged_at", "-pk")
    )
    return render(
        request,
        "cascade/people.html",
        {
            "region": region,
            "query": query,
            "groups": groups,
            "more": more,
            "refreshing": refreshing,
            "merged": Paginator(merged, MERGED_PER_PAGE).get_page(request.GET.get("page")),
        },
    )


def _duplicate_groups(counted) -> tuple[list[list[Person]], int]:
    """The first GROUPS_SHOWN groups of likely duplicates, as cascade.reach last named them,
    and how many more there are. A group a merge left with one record before the next refresh
    is not shown."""
    grouped = counted.exclude(duplicates_group="")
    names = (
        grouped.values_list("duplicates_group", flat=True).distinct().order_by("duplicates_group")
    )
    shown = list(names[:GROUPS_SHOWN])
    members = defaultdict(list)
    for person in grouped.filter(duplicates_group__in=shown).order_by("pk"):
        members[person.duplicates_group].append(person)
    groups = [members[name] for name in shown if len(members[name]) > 1]
    more = names.count() - len(shown) if len(shown) == GROUPS_SHOWN else 0
    return groups, more


@login_required
@require_POST
def people_merge(request, code):
    region = _region_for(request.user, code)
    people = Person.objects.filter(region=region)

    def ids(values):  # the form sends record ids; anything else names no record
        return [int(v) for v in values if v.isdigit()]

    keep = people.filter(pk__in=ids([request.POST.get("keep", "")])).first()
    duplicates = list(people.filter(pk__in=ids(request.POST.getlist("merge"))))
    if keep is None:
        messages.error(request, _("Выберите запись, которая останется."))
    else:
        try:
            services.people_merge(keep=keep, duplicates=duplicates, by=request.user)
        except services.CascadeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Объединено: %(names)s теперь считаются как %(keep)s.")
                % {
                    "names": ", ".join(d.full_name for d in duplicates if d.pk != keep.pk),
                    "keep": keep.full_name,
                },
            )
    back = reverse("cascade:region_people", args=[code])
    if query := request.POST.get("q", "").strip():
        back += "?" + urlencode({"q": query})
    return redirect(back)


@login_required
@require_POST
def person_unmerge(request, pk):
    person = get_object_or_404(Person.objects.select_related("region"), pk=pk)
    _region_for(request.user, person.region.code)
    try:
        services.person_unmerge(person=person, by=request.user)
    except services.CascadeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(name)s снова считается отдельно.") % {"name": person.full_name}
        )
    return redirect("cascade:region_people", code=person.region.code)


@login_required
def region_export(request, code, fmt):
    region = _region_for(request.user, code)
    return _reach_table([region], fmt, f"cascade-{region.code}")


@login_required
def programme_export(request, fmt):
    """Everyone reached in the regions the reader manages (all of them for the admin)."""
    regions = list(managed_regions(request.user))
    if not regions:
        raise Http404
    return _reach_table(regions, fmt, "cascade")


def _reach_table(regions, fmt, filename):
    events = (
        Participation.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people = (
        Person.objects.filter(region__in=regions, merged_into__isnull=True, wave__isnull=False)
        .annotate(region_title=Region.title_expression(), events=Coalesce(Subquery(events), 0))
        .order_by("region_title", "wave", "full_name")
        .values_list("region_title", "full_name", "organisation", "position", "wave", "events")
    )
    header = [
        _("Регион"),
        _("ФИО"),
        _("Организация"),
        _("Должность"),
        _("Волна"),
        _("Мероприятий"),
    ]
    return table_response(
        header, people.iterator(chunk_size=2000), fmt=fmt, filename=filename, sheet=_("Охват")
    )


@login_required
def team_create(request):
    regions = managed_regions(request.user)
    if not regions.exists():
        raise Http404
    form = TeamForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                by=request.user,
                region=data["region"],
                name=data["name"],
                lead=data["lead"],
                modules=data["modules"],
            )
        except services.CascadeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Команда создана. Добавьте участников."))
            return redirect("cascade:team_detail", pk=team.pk)
    return render(request, "cascade/team_form.html", {"form": form})


@login_required
def team_detail(request, pk):
    team = _team_for(request.user, pk)
    manages = services.manages_region(request.user, team.region_id)
    form = MemberForm(request.POST or None) if manages else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.member_add(
                team=team,
                user=form.cleaned_data["user"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.CascadeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Участник добавлен в команду."))
            return redirect("cascade:team_detail", pk=team.pk)
    memberships = team.memberships.select_related("user").order_by("left_on", "joined_on")
    return render(
        request,
        "cascade/team.html",
        {
            "team": team,
            "memberships": memberships,
            "modules": team.modules.select_related("course"),
            "events": team.events.annotate(people=Count("participations")).order_by("-starts_at")[
                :50
            ],
            "manages": manages,
            "is_member": services.is_member(request.user, team),
            "form": form,
        },
    )


@login_required
def team_edit(request, pk):
    team = _team_for(request.user, pk)
    if not services.manages_region(request.user, team.region_id):
        raise Http404
    form = TeamEditForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, by=request.user, **form.cleaned_data)
        except services.CascadeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("cascade:team_detail", pk=team.pk)
    return render(request, "cascade/team_form.html", {"form": form, "team": team})


@login_required
@require_POST
def member_leave(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("team"), pk=pk)
    _team_for(request.user, membership.team_id)
    try:
        services.member_leave(membership=membership, by=request.user)
    except services.CascadeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Выход из команды записан."))
    return redirect("cascade:team_detail", pk=membership.team_id)


@login_required
def event_create(request, team_pk):
    return _event_form(request, _team_for(request.user, team_pk))


@login_required
def event_edit(request, pk):
    event = _event_for(request.user, pk)
    if event.status not in services.REPORTABLE:
        raise Http404
    return _event_form(request, event.team, event)


def _event_form(request, team, event=None):
    """Plan an event of ``team``, or correct ``event``."""
    initial = EventForm.initial_for(event) if event else None
    form = EventForm(request.POST or None, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                event = services.event_plan(team=team, by=request.user, **form.event_fields())
                done = _("Мероприятие запланировано.")
            else:
                services.event_update(event=event, by=request.user, **form.event_fields())
                done = _("Изменения сохранены.")
        except services.CascadeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("cascade:event_detail", pk=event.pk)
    return render(request, "cascade/event_form.html", {"form": form, "team": team, "event": event})


@login_required
def event_detail(request, pk, *, list_form=None, report_form=None, review_form=None, report=None):
    event = _event_for(request.user, pk)
    manages = services.manages_region(request.user, event.team.region_id)
    member = services.is_member(request.user, event.team)
    can_report = (member or manages) and event.status in services.REPORTABLE
    participations = event.participations.select_related("person").order_by("person__full_name")
    return render(
        request,
        "cascade/event.html",
        {
            "event": event,
            "zone": event.team.region.timezone,
            "modules": event.modules.select_related("course", "page"),
            "trainers": event.trainers.all(),
            "participations": participations,
            "files": event.files.all(),
            "can_report": can_report,
            "can_review": services.may_review(request.user, event),
            "awaiting_other": manages
            and event.status == Event.Status.REPORTED
            and event.reported_by_id == request.user.pk,
            "may_hand_out": manages or member,
            "list_form": list_form or ParticipantListForm(),
            "report_form": report_form or ReportForm(),
            "review_form": review_form or ReviewForm(),
            "list_report": report,
            "join_url": absolute(f"{reverse('cascade:join')}?code={event.invite_code}"),
        },
    )


@login_required
@require_POST
def event_participants(request, pk):
    event = _event_for(request.user, pk)
    form = ParticipantListForm(request.POST, request.FILES)
    if not form.is_valid():
        return event_detail(request, pk, list_form=form)
    try:
        report = services.participants_upload(
            event=event, uploaded=form.cleaned_data["file"], by=request.user
        )
    except services.CascadeError as error:
        messages.error(request, str(error))
        return redirect("cascade:event_detail", pk=pk)
    if report.saved:
        messages.success(
            request,
            _("Список принят: добавлено %(added)s, уже были в списке %(existing)s.")
            % {"added": len(report.added), "existing": len(report.existing)},
        )
        return redirect("cascade:event_detail", pk=pk)
    return event_detail(request, pk, report=report)


@login_required
def event_file(request, pk):
    """A report's file, to the event's readers only; always a download, never inline."""
    stored = get_object_or_404(EventFile, pk=pk)
    _event_for(request.user, stored.event_id)
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=content_type_for(stored.kind),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _event_action(request, pk, form_class, form_key: str, act, done: str):
    """A form posted from the event page: done, or the page again with the form's errors."""
    event = _event_for(request.user, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            act(event, form.cleaned_data)
        except services.CascadeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("cascade:event_detail", pk=pk)
    return event_detail(request, pk, **{form_key: form})


@login_required
@require_POST
def event_report(request, pk):
    return _event_action(
        request,
        pk,
        ReportForm,
        "report_form",
        lambda event, data: services.event_report(
            event=event, by=request.user, outcome=data["outcome"], files=data["files"]
        ),
        _("Отчёт отправлен на проверку."),
    )


@login_required
@require_POST
def event_review(request, pk):
    return _event_action(
        request,
        pk,
        ReviewForm,
        "review_form",
        lambda event, data: services.event_review(
            event=event,
            by=request.user,
            accept=data["decision"] == "accept",
            comment=data["comment"],
        ),
        _("Решение по отчёту сохранено."),
    )


@login_required
def join(request):
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_join(code=form.cleaned_data["code"], user=request.user)
        except services.CascadeError as error:
            form.add_error("code", str(error))
        else:
            messages.success(
                request,
                _("Вы отмечены участником мероприятия «%(title)s».") % {"title": event.title},
            )
            return redirect("dashboard")
    return render(request, "cascade/join.html", {"form": form})
