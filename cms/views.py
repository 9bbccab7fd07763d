"""The library's pages outside Wagtail's tree: proposing a practice and following proposals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import PracticeProposalForm
from .library import most_read, reading_by_region, reading_regions, reading_totals
from .models import Proposal


@login_required
def proposal_create(request):
    if not services.may_propose(request.user):
        raise PermissionDenied
    return _proposal_form(request, None)


@login_required
def proposal_edit(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("page"), pk=pk, proposer=request.user
    )
    if proposal.status != Proposal.Status.RETURNED or proposal.page_id is None:
        messages.info(
            request, _("Это предложение сейчас нельзя изменить: оно у редакции или уже решено.")
        )
        return redirect("library_proposals")
    return _proposal_form(request, proposal)


def _proposal_form(request, proposal):
    """A new proposal (``proposal`` None), or a returned one reworked."""
    regions = services.proposal_regions(request.user)
    initial = None
    if proposal is not None and request.method != "POST":
        initial = services.proposal_content(proposal)
    form = PracticeProposalForm(
        request.POST or None, request.FILES or None, regions=regions, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if proposal is None:
                services.practice_propose(
                    proposer=request.user, content=data, files=data["documents"]
                )
                done = _(
                    "Спасибо! Практика отправлена редакции. Когда её опубликуют или вернут на "
                    "доработку, мы напишем вам."
                )
            else:
                services.proposal_revise(proposal=proposal, content=data, files=data["documents"])
                done = _("Исправленная практика снова отправлена редакции.")
        except services.ProposalError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
            return redirect("library_proposals")
    return render(
        request,
        "cms/proposal_form.html",
        {"form": form, "no_region": not regions.exists(), "proposal": proposal},
    )


@login_required
def proposal_list(request):
    proposals = Proposal.objects.filter(proposer=request.user).select_related("region", "page")
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/proposal_list.html",
        {
            "page_obj": page,
            "proposals": page.object_list,
            "may_propose": services.may_propose(request.user),
        },
    )


@login_required
def reading_report(request):
    """Who reads the library: the programme's totals, and by region (a coordinator's own)."""
    region_ids = reading_regions(request.user)
    if region_ids is False:
        raise PermissionDenied
    return render(
        request,
        "cms/reading_report.html",
        {
            "totals": reading_totals(),
            "regions": list(reading_by_region(region_ids)),
            "pages": list(most_read(region_ids)),
            "all_regions": region_ids is None,
        },
    )
