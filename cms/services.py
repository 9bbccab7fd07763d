"""Writes of the library: a practice proposed from the site, and what became of it.

A proposal is a draft ``PracticePage`` under the library's index, submitted to the index's
moderation workflow in the proposer's name, so editors review it where they review everything
else (the Wagtail admin: submit, review, publish, with Wagtail's notifications to reviewers).
The outcome (published, returned with the reviewer's comment, or the draft deleted) is recorded
on the ``Proposal`` and told to the proposer by e-mail, in their language.
"""

import logging

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Collection, WorkflowState

from lms import links
from lms.models import Region, Role
from lms.notify import notify
from lms.uploads import safe_filename

from .models import LibraryAttachment, LibraryIndexPage, PracticePage, Proposal

log = logging.getLogger(__name__)

RICH_FIELDS = ("what_was_done", "results", "resources")
PLAIN_FIELDS = ("title", "summary", "organisation", "period", "year", "contacts")


class ProposalError(Exception):
    """A proposal that cannot be taken now; the message is for the proposer."""


def proposal_regions(user):
    """Regions ``user`` may propose a practice for: the programme admin any, a coordinator the
    regions they coordinate, a manager their own region."""
    if not user.is_authenticated:
        return Region.objects.none()
    if user.has_role(Role.ADMIN):
        return Region.objects.all()
    ids = set(user.coordinated_region_ids())
    if Role.MANAGER in user.roles and user.region_id:
        ids.add(user.region_id)
    return Region.objects.filter(pk__in=ids)


def may_propose(user) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATOR, Role.MANAGER)


@transaction.atomic
def practice_propose(*, proposer, content: dict, files) -> Proposal:
    """A new draft practice from ``content`` (the proposal form's fields) and ``files``
    (checked PDF/DOCX uploads), submitted to moderation. All or nothing."""
    region = _allowed_region(proposer, content["region"])
    index = LibraryIndexPage.objects.live().first()
    workflow = _moderation(index)
    page = PracticePage(
        slug=_free_slug(index, content["title"]),
        live=False,
        has_unpublished_changes=True,
        owner=proposer,
    )
    _fill(page, content, files, proposer)
    index.add_child(instance=page)
    page.save_revision(user=proposer, log_action=True)
    proposal = Proposal.objects.create(
        page=page, title=page.title, proposer=proposer, region=region
    )
    workflow.start(page, proposer)
    log.info("practice %s proposed by user %s for region %s", page.pk, proposer.pk, region.code)
    return proposal


@transaction.atomic
def proposal_revise(*, proposal, content: dict, files) -> Proposal:
    """The proposer's changes to a proposal returned for changes, sent back to moderation."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.RETURNED or proposal.page_id is None:
        raise ProposalError(
            _(
                "Это предложение сейчас у редакции: изменить его можно, "
                "когда его вернут на доработку."
            )
        )
    proposal.region = _allowed_region(proposal.proposer, content["region"])
    live_page = proposal.page.specific
    page = live_page.get_latest_revision_as_object()
    _fill(page, content, files, proposal.proposer)
    page.save_revision(user=proposal.proposer, log_action=True)
    state = live_page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(proposal.proposer)
    else:
        _moderation(live_page).start(live_page, proposal.proposer)
    proposal.title = page.title
    proposal.status = Proposal.Status.PENDING
    proposal.decided_at = None
    proposal.save(update_fields=["title", "region", "status", "decided_at"])
    return proposal


def proposal_content(proposal) -> dict:
    """The proposal form's initial values from the latest version of the draft (which an
    editor may have changed): rich text back to plain paragraphs."""
    from lms.sanitize import html_to_text

    page = proposal.page.specific.get_latest_revision_as_object()
    content = {name: getattr(page, name) for name in PLAIN_FIELDS}
    content.update({name: html_to_text(getattr(page, name)) for name in RICH_FIELDS})
    content["region"] = page.region_id
    content["topics"] = [topic.pk for topic in page.topics.all()]
    content["target_groups"] = [group.pk for group in page.target_groups.all()]
    return content


def proposal_decided(*, page_id: int, status: str, comment: str = "") -> Proposal | None:
    """Record what became of the open proposal for page ``page_id`` and tell its proposer.
    Nothing happens for pages nobody proposed, or proposals already decided."""
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update()
            .select_related("proposer", "page")
            .filter(page_id=page_id, status__in=Proposal.OPEN)
            .first()
        )
        if proposal is None:
            return None
        proposal.status = status
        proposal.comment = comment
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "comment", "decided_at"])
    page_url = links.page_url(proposal.page) if status == Proposal.Status.PUBLISHED else ""
    notify(
        proposal.proposer,
        f"cms/email/proposal_{status}",
        {"proposal": proposal, "page_url": page_url},
    )
    return proposal


def _fill(page, content: dict, files, proposer) -> None:
    for name in PLAIN_FIELDS:
        setattr(page, name, content[name])
    for name in RICH_FIELDS:
        setattr(page, name, linebreaks(content[name], autoescape=True) if content[name] else "")
    page.draft_title = page.title
    page.region = content["region"]
    page.topics = list(content["topics"])
    page.target_groups = list(content["target_groups"])
    documents = [_document(uploaded, proposer) for uploaded in files]
    page.attachments = list(page.attachments.all()) + [
        LibraryAttachment(document=document) for document in documents
    ]


def _moderation(page):
    """The active moderation workflow ``page`` goes through; refused without one, so nothing
    waits where nobody reviews it."""
    workflow = page.get_workflow() if page is not None else None
    if workflow is None or not workflow.active:
        raise ProposalError(
            _("Библиотека сейчас не принимает предложений. Напишите редакции программы.")
        )
    return workflow


def _allowed_region(user, region):
    if not proposal_regions(user).filter(pk=region.pk).exists():
        raise ProposalError(_("Практику можно предложить только для своего региона."))
    return region


def _document(uploaded, proposer):
    name = safe_filename(uploaded.name)
    document = get_document_model()(
        title=name.rsplit(".", 1)[0].replace("_", " "),
        collection=Collection.get_first_root_node(),
        uploaded_by_user=proposer,
    )
    document.file.save(name, File(uploaded, name=name), save=False)
    document._set_document_file_metadata()  # size, hash and type, as the admin's upload sets
    document.save()
    return document


def _free_slug(index, title: str) -> str:
    base = slugify(title, allow_unicode=True)[:70] or "practice"
    slug, n = base, 1
    taken = set(index.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
