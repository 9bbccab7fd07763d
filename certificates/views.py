import zipfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cascade.models import Event
from courses.models import Cohort, Enrollment
from lms.exports import StreamSink, table_response
from lms.models import Region, Role
from lms.ratelimit import rate_limited

from . import services
from .models import Certificate

REGISTER_PER_PAGE = 50


def _keep(request, name: str) -> str:
    value = request.GET.get(name)
    return urlencode({name: value}) if value else ""


def _count(queryset):
    """The number of rows of ``queryset`` (correlated to the outer row) as a subquery."""
    return Coalesce(
        Subquery(queryset.order_by().values(group=Value(1)).annotate(n=Count("*")).values("n")),
        0,
    )


def _visible(user):
    """Certificates a person may see: their own; a coordinator's region's; all for the admin."""
    certificates = Certificate.objects.select_related("region", "replaced_by")
    if user.has_role(Role.ADMIN):
        return certificates
    return certificates.filter(Q(holder=user) | Q(region__in=user.coordinated_region_ids()))


def verify(request, code):
    """Public: is this certificate valid? Its holder, programme, hours and dates, nothing else.
    Rate-limited per address; codes are random, so they cannot be enumerated."""
    limit, period = settings.LMS_VERIFY_RATE_LIMIT
    if rate_limited(request, "verify", limit=limit, period=period):
        return render(request, "certificates/verify.html", {"limited": True}, status=429)
    certificate = (
        Certificate.objects.filter(code=code)
        .exclude(status=Certificate.Status.PENDING)
        .select_related("replaced_by")
        .first()
    )
    if certificate is None:
        return render(request, "certificates/verify.html", {"certificate": None}, status=404)
    return render(request, "certificates/verify.html", {"certificate": certificate})


@login_required
def mine(request):
    certificates = Certificate.objects.filter(holder=request.user).select_related("replaced_by")
    return render(request, "certificates/mine.html", {"certificates": certificates})


@login_required
def download(request, pk):
    certificate = get_object_or_404(_visible(request.user).exclude(pdf=""), pk=pk)
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.serial}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def register(request):
    """The register: coordinators see their region's, the admin everything; cohorts to issue."""
    if not request.user.has_role(Role.COORDINATOR):
        raise Http404
    certificates = Paginator(
        _visible(request.user).order_by("-created_at", "-pk"), REGISTER_PER_PAGE
    ).get_page(request.GET.get("page"))
    cohorts = None
    if request.user.has_role(Role.ADMIN):
        # A page of cohorts with graduates is chosen first, then only its cohorts are counted
        # (subqueries on indexed columns): the cost does not grow with the number of cohorts or
        # certificates. Counted in the same query, PostgreSQL would count every cohort before
        # the LIMIT.
        of_cohort = Certificate.objects.filter(enrollment__cohort=OuterRef("pk"))
        completed = Enrollment.objects.filter(cohort=OuterRef("pk"), status="completed")
        order = ("-starts_on", "-pk")
        cohorts = Paginator(
            Cohort.objects.filter(Exists(completed))  # stops at the first graduate, by the index
            .order_by(*order)
            .values_list("pk", flat=True),
            REGISTER_PER_PAGE,
        ).get_page(request.GET.get("cohorts"))
        cohorts.object_list = list(
            Cohort.objects.filter(pk__in=list(cohorts.object_list))
            .select_related("course")
            .annotate(
                completed=_count(completed),
                issued=_count(of_cohort.exclude(status="revoked")),
                pending=_count(of_cohort.filter(status="pending")),
            )
            .order_by(*order)
        )
    return render(
        request,
        "certificates/register.html",
        {
            "certificates": certificates,
            "cohorts": cohorts,
            # Each list's pages keep the other list on the page it was on.
            "certificates_query": _keep(request, "cohorts"),
            "cohorts_query": _keep(request, "page"),
        },
    )


def _admin_required(request):
    if not request.user.has_role(Role.ADMIN):
        raise Http404


@login_required
@require_POST
def cohort_issue(request, pk):
    _admin_required(request)
    cohort = get_object_or_404(Cohort, pk=pk)
    issued = services.cohort_issue(cohort=cohort, by=request.user)
    messages.success(
        request,
        _(
            "Заказано сертификатов: %(n)s. PDF готовятся в фоне; обновите "
            "страницу, чтобы увидеть, сколько готово."
        )
        % {"n": issued},
    )
    return redirect("certificates:register")


def _zip_stream(certificates):
    """Yield a ZIP of the PDFs as it is written: memory stays flat whatever the count."""
    sink = StreamSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates.iterator():
            with (
                certificate.pdf.open("rb") as source,
                archive.open(f"{certificate.serial}.pdf", "w") as target,
            ):
                while block := source.read(64 * 1024):
                    target.write(block)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


def _zip_response(certificates, filename):
    certificates = (
        certificates.filter(status=Certificate.Status.VALID).exclude(pdf="").order_by("serial")
    )
    response = StreamingHttpResponse(_zip_stream(certificates), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def cohort_zip(request, pk):
    _admin_required(request)
    cohort = get_object_or_404(Cohort, pk=pk)
    return _zip_response(
        Certificate.objects.filter(enrollment__cohort=cohort),
        f"certificates-cohort-{cohort.pk}.zip",
    )


@login_required
def event_zip(request, pk):
    """The participation certificates of an accepted cascade event, for the team to hand out."""
    event = get_object_or_404(
        Event.objects.select_related("team"), pk=pk, status=Event.Status.ACCEPTED
    )
    if not services.may_download_event(request.user, event):
        raise Http404
    return _zip_response(
        Certificate.objects.filter(participation__event=event),
        f"certificates-event-{event.pk}.zip",
    )


@login_required
def certificate_manage(request, pk):
    """Revoke, or revoke and re-issue (a new serial; the old one points to it)."""
    _admin_required(request)
    certificate = get_object_or_404(Certificate.objects.select_related("replaced_by"), pk=pk)
    reason, holder_name = "", certificate.holder_name
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        holder_name = request.POST.get("holder_name", "") or certificate.holder_name
        try:
            if request.POST.get("action") == "reissue":
                new = services.certificate_reissue(
                    certificate=certificate,
                    reason=reason,
                    by=request.user,
                    request=request,
                    holder_name=holder_name,
                )
                messages.success(
                    request, _("Выдан сертификат %(serial)s взамен.") % {"serial": new.serial}
                )
            else:
                services.certificate_revoke(
                    certificate=certificate, reason=reason, by=request.user, request=request
                )
                messages.success(request, _("Сертификат отозван."))
        except services.CertificateError as error:
            messages.error(request, str(error))
        else:
            return redirect("certificates:register")
    return render(
        request,
        "certificates/manage.html",
        {
            "reason": reason,
            "holder_name": holder_name,
            "certificate": certificate,
            "events": certificate.events.select_related("by"),
        },
    )


REGISTER_COLUMNS = [
    _("Номер"),
    _("Код проверки"),
    _("Владелец"),
    _("Организация"),
    _("Регион"),
    _("Программа"),
    _("Часы"),
    _("Начало"),
    _("Окончание"),
    _("Выдан"),
    _("Статус"),
]


def _register_rows(certificates):
    """The register's rows, read as they are sent: plain values, not model objects, for the
    50,000 rows of a national programme. Its body runs under the reader's language."""
    labels = {value: str(label) for value, label in Certificate.Status.choices}
    for *row, date_from, date_to, issued_on, status in certificates.iterator(chunk_size=2000):
        row[4] = row[4] or ""
        yield [
            *row,
            date_from.isoformat(),
            date_to.isoformat(),
            issued_on.isoformat(),
            labels[status],
        ]


@login_required
def register_export(request, fmt):
    if not request.user.has_role(Role.COORDINATOR) or fmt not in ("csv", "xlsx"):
        raise Http404
    rows = _register_rows(
        _visible(request.user)
        .order_by("serial")
        .values_list(
            "serial",
            "code",
            "holder_name",
            "organisation_name",
            Region.title_expression(),
            "subject",
            "hours",
            "date_from",
            "date_to",
            "issued_on",
            "status",
        )
    )
    header = [str(column) for column in REGISTER_COLUMNS]
    return table_response(header, rows, fmt=fmt, filename="certificates", sheet=_("Реестр"))
