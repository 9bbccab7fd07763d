from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.admin.mail import (
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
)
from wagtail.models import Page, PageViewRestriction, WorkflowState
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    workflow_approved,
    workflow_rejected,
)

from lms.queueing import enqueue_on_commit

from .library import library_changed
from .models import LibraryDocument, LibraryPage, Proposal, TargetGroup, Topic


@receiver(post_save, sender=LibraryDocument)
def document_saved(sender, instance, created, update_fields=None, **kwargs):
    """A new or replaced file has its text read in the background, after the commit."""
    if update_fields and "file" not in update_fields:
        return
    from django.utils import timezone

    from .tasks import document_text_extract

    if not created:  # a replaced file: its text is read anew
        LibraryDocument.objects.filter(pk=instance.pk).update(
            text_read_at=None, text_queued_at=timezone.now()
        )
    enqueue_on_commit(document_text_extract, instance.pk)


@receiver(page_published)
def library_page_published(sender, instance, **kwargs):
    """Index a published library page again once its attachments are saved: the index entry
    written during the page's own save saw the attachments as they were before. A proposed
    practice that is published (through the workflow or directly) tells its proposer."""
    if isinstance(instance, LibraryPage):
        from wagtail.search.index import insert_or_update_object

        from .services import proposal_decided

        insert_or_update_object(instance)
        library_changed()
        proposal_decided(page_id=instance.pk, status=Proposal.Status.PUBLISHED)


@receiver(page_unpublished)
@receiver(post_page_move)
@receiver(post_delete, sender=LibraryPage)
@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
@receiver(post_save, sender=TargetGroup)
@receiver(post_delete, sender=TargetGroup)
def library_listing_changed(sender, **kwargs):
    """What the library lists, or to whom, may have changed: cached listings are dropped
    (cms.library.library_version), at once and again once the change is committed."""
    library_changed()


@receiver(workflow_rejected, sender=WorkflowState)
def proposal_returned(sender, instance, **kwargs):
    """A reviewer asked for changes: the proposer hears it with the reviewer's comment."""
    from .services import proposal_decided

    task_state = instance.current_task_state
    comment = task_state.specific.get_comment() if task_state else ""
    proposal_decided(
        page_id=int(instance.object_id), status=Proposal.Status.RETURNED, comment=comment
    )


@receiver(pre_delete, sender=Page)
def proposal_declined(sender, instance, **kwargs):
    """An editor deleted a proposed draft: the proposal is declined, and the proposer told."""
    if not instance.live:
        from .services import proposal_decided

        proposal_decided(page_id=instance.pk, status=Proposal.Status.DECLINED)


class _NotProposer:
    """Wagtail tells whoever submitted a page that it was approved or rejected, with links into
    the admin. A proposer of a practice hears it from the library instead (cms.services), in
    words and links they can use, so Wagtail's message skips them."""

    def get_recipient_users(self, workflow_state, **kwargs):
        recipients = super().get_recipient_users(workflow_state, **kwargs)
        proposers = set(
            Proposal.objects.filter(page_id=workflow_state.object_id).values_list(
                "proposer_id", flat=True
            )
        )
        return {user for user in recipients if user.pk not in proposers}


class ApprovalNotifier(_NotProposer, WorkflowStateApprovalEmailNotifier):
    pass


class RejectionNotifier(_NotProposer, WorkflowStateRejectionEmailNotifier):
    pass


# Module-level instances: signals hold receivers weakly.
approval_notifier = ApprovalNotifier()
rejection_notifier = RejectionNotifier()
for signal, notifier, dispatch_uid in (
    (workflow_approved, approval_notifier, "workflow_state_approved_email_notification"),
    (workflow_rejected, rejection_notifier, "workflow_state_rejected_email_notification"),
):
    # Same dispatch_uid as Wagtail's own: whichever app is ready first, only ours stays.
    signal.disconnect(sender=WorkflowState, dispatch_uid=dispatch_uid)
    signal.connect(notifier, sender=WorkflowState, dispatch_uid=dispatch_uid)
