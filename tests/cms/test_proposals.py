"""A coordinator or a manager proposes a practice of their region from the site; editors review
it in Wagtail's moderation workflow; the proposer hears the outcome and can rework a returned
one."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import WorkflowState

from cms.models import LibraryDocument, PracticePage, Proposal
from tests.factories import docx, make_user, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "manager": make_user("manager@example.org", role="manager", region_code="35"),
        "coordinator": make_user(
            "coord@example.org", role="coordinator", region_code="38", totp=True
        ),
        "editor": make_user("editor@example.org", role="editor", totp=True),
        "specialist": make_user("spec@example.org", role="specialist", region_code="35"),
    }


def proposal_form(library, *, region_code="35", files=(), **changes):
    data = {
        "title": "Школа приёмных родителей онлайн",
        "region": region(region_code).pk,
        "organisation": "Центр помощи семьям",
        "period": "2023–2024",
        "year": "2024",
        "summary": "Подготовка кандидатов в замещающие родители в дистанционном формате.",
        "topics": [library["topics"]["training"].pk],
        "target_groups": [library["groups"]["foster"].pk],
        "what_was_done": "Перевели занятия в онлайн.\n\nДобавили встречи с выпускниками.",
        "results": "Обучение прошли 120 кандидатов.",
        "resources": "",
        "contacts": "centr@example.org",
        "documents": list(files),
    }
    data.update(changes)
    return data


def a_docx(name="polozhenie.docx", text="Положение о школе приёмных родителей"):
    return SimpleUploadedFile(name, docx(text), content_type="application/octet-stream")


def propose(client, library, **kwargs):
    return client.post("/library/propose/", proposal_form(library, **kwargs))


def workflow_action(client, page, action, comment=""):
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    task_state = state.current_task_state
    return client.post(
        f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state.pk}/",
        {"comment": comment},
    )


def test_a_proposed_practice_is_a_draft_in_moderation_and_reviewers_are_told(
    client, client_as, library, people
):
    manager = people["manager"]
    response = propose(client_as(manager), library, files=[a_docx()])
    assert response.status_code == 302 and response["Location"] == "/library/proposals/"

    proposal = Proposal.objects.get()
    assert (proposal.proposer, proposal.region.code) == (manager, "35")
    assert proposal.status == Proposal.Status.PENDING
    page = PracticePage.objects.get(pk=proposal.page_id)
    assert not page.live and page.owner == manager
    draft = page.get_latest_revision_as_object()
    assert draft.title == "Школа приёмных родителей онлайн"
    assert draft.what_was_done == (
        "<p>Перевели занятия в онлайн.</p>\n\n<p>Добавили встречи с выпускниками.</p>"
    )
    assert [a.document.title for a in draft.attachments.all()] == ["polozhenie"]
    state = page.current_workflow_state
    assert state.status == "in_progress" and state.requested_by == manager

    # The editors (the moderators' group) are told by Wagtail that something awaits review.
    assert any(people["editor"].email in m.to for m in mail.outbox)
    # The proposer can open their own file; nobody else reads a draft or its documents.
    document = LibraryDocument.objects.get()
    document_url = f"/documents/{document.pk}/{document.filename}"
    assert client.get(document_url).status_code == 200
    assert client_as(people["specialist"]).get(document_url).status_code == 404
    client.logout()
    assert "Школа приёмных родителей" not in client.get("/library/").content.decode()
    assert client.get(f"/library/{page.slug}/").status_code == 404

    listing = client_as(manager).get("/library/proposals/").content.decode()
    assert "Школа приёмных родителей онлайн" in listing and "На рассмотрении" in listing


def test_the_proposer_hears_publication_in_their_language_once(client, client_as, library, people):
    manager = people["manager"]
    manager.language = "en"
    manager.save()
    propose(client_as(manager), library, files=[a_docx()])
    page = Proposal.objects.get().page
    mail.outbox.clear()

    response = workflow_action(client_as(people["editor"]), page, "approve", "Спасибо!")
    assert response.status_code == 302

    page.refresh_from_db()
    assert page.live
    proposal = Proposal.objects.get()
    assert proposal.status == Proposal.Status.PUBLISHED and proposal.decided_at
    to_manager = [m for m in mail.outbox if manager.email in m.to]
    assert len(to_manager) == 1  # ours, not also Wagtail's admin-facing one
    assert "published in the library" in to_manager[0].subject
    # The link is the public address (SITE_URL), not the Wagtail Site's own host and port.
    assert f"http://testserver{page.url}" in to_manager[0].body
    assert "localhost" not in to_manager[0].body

    client.logout()
    library_page = client.get("/library/").content.decode()
    assert "Школа приёмных родителей онлайн" in library_page
    # Its document goes to readers now that the page is public.
    document = LibraryDocument.objects.get()
    assert client.get(f"/documents/{document.pk}/{document.filename}").status_code == 200


def test_a_returned_proposal_carries_the_comment_and_can_be_reworked(
    client, client_as, library, people
):
    manager = people["manager"]
    propose(client_as(manager), library)
    proposal = Proposal.objects.get()
    mail.outbox.clear()

    workflow_action(client_as(people["editor"]), proposal.page, "reject", "Добавьте цифры.")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.RETURNED
    assert proposal.comment == "Добавьте цифры."
    (message,) = [m for m in mail.outbox if manager.email in m.to]
    assert "вернули на доработку" in message.subject
    assert "Добавьте цифры." in message.body
    assert f"/library/proposals/{proposal.pk}/" in message.body

    client = client_as(manager)
    form = client.get(f"/library/proposals/{proposal.pk}/").content.decode()
    assert "Добавьте цифры." in form
    assert "Перевели занятия в онлайн." in form  # the draft's text, back as plain paragraphs
    mail.outbox.clear()
    response = client.post(
        f"/library/proposals/{proposal.pk}/",
        proposal_form(
            library,
            results="Обучение прошли 120 кандидатов, 95 семей приняли детей.",
            files=[a_docx("otchet.docx", "Отчёт")],
        ),
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING
    draft = proposal.page.specific.get_latest_revision_as_object()
    assert "95 семей" in draft.results
    assert [a.document.title for a in draft.attachments.all()] == ["otchet"]
    assert proposal.page.specific.current_workflow_state.status == "in_progress"
    assert any(people["editor"].email in m.to for m in mail.outbox)  # back with the reviewers

    # While it is with the editors, the proposer cannot change it.
    response = client.post(f"/library/proposals/{proposal.pk}/", proposal_form(library))
    assert response.status_code == 302
    assert "95 семей" in proposal.page.specific.get_latest_revision_as_object().results


def test_a_deleted_draft_is_declined_and_the_proposer_told(client_as, library, people):
    propose(client_as(people["manager"]), library)
    proposal = Proposal.objects.get()
    mail.outbox.clear()
    proposal.page.specific.delete()

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED and proposal.page is None
    (message,) = mail.outbox
    assert "не будет опубликована" in message.subject
    listing = client_as(people["manager"]).get("/library/proposals/").content.decode()
    assert "Отклонено" in listing


def test_who_may_propose_and_for_which_region(client, client_as, library, people):
    assert client.get("/library/propose/").status_code == 302  # to sign in
    assert client_as(people["specialist"]).get("/library/propose/").status_code == 403

    coordinator = people["coordinator"]
    page = client_as(coordinator).get("/library/propose/").content.decode()
    assert "Иркутская область" in page and "Вологодская область" not in page
    response = propose(client_as(coordinator), library, region_code="35")
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Proposal.objects.exists()

    assert propose(client_as(coordinator), library, region_code="38").status_code == 302
    proposal = Proposal.objects.get()
    # Someone else's proposal does not exist for you.
    assert client_as(people["manager"]).get(f"/library/proposals/{proposal.pk}/").status_code == 404
    assert (
        "Школа приёмных"
        not in client_as(people["manager"]).get("/library/proposals/").content.decode()
    )


def test_bad_input_is_explained_and_nothing_is_saved(client_as, library, people):
    client = client_as(people["manager"])
    disguised = SimpleUploadedFile("otchet.pdf", b"MZ\x90\x00 not a pdf at all")
    response = propose(client, library, files=[disguised], title="", year="2090")
    page = response.content.decode()
    assert response.status_code == 200
    assert "не похож на PDF или DOCX" in page
    assert "Требуется заполнить это поле" in page
    assert "Убедитесь, что это значение меньше либо равно" in page
    assert not Proposal.objects.exists()
    assert not PracticePage.objects.exists()
    assert not LibraryDocument.objects.exists()

    too_many = [a_docx(f"d{n}.docx") for n in range(6)]
    page = propose(client, library, files=too_many).content.decode()
    assert "Можно приложить не больше 5 файлов" in page
    assert not Proposal.objects.exists()
