"""A manager filters the library by region, searches in Russian, opens a practice, downloads its
document, then proposes a practice of their own region."""

from pathlib import Path

import pytest

from cms.models import LibraryAttachment, Proposal
from tests.browser.actions import sign_in
from tests.factories import document, docx, make_user, practice

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_filter_search_read_download_then_propose(page, screenshot, library, tmp_path):
    marathon = practice(
        library,
        "Марафон социальных технологий",
        code="35",
        topics=["prevention"],
        groups=["birth"],
        summary="Марафон помогает специалистам опеки перенимать технологии работы с семьёй.",
    )
    marathon.attachments = [
        LibraryAttachment(document=document("Положение о марафоне", docx("Положение")))
    ]
    marathon.save_revision().publish()
    practice(library, "Институт полиформатного образования", code="38", topics=["training"])
    practice(library, "Стажировочная площадка", code="72", topics=["training"], groups=["foster"])
    manager = make_user("manager@example.org", role="manager", region_code="35")

    sign_in(page, manager.email)
    page.get_by_role("navigation").get_by_role("link", name="Библиотека").click()
    assert page.get_by_text("Найдено 3 материала").is_visible()
    page.locator(".facets").get_by_role("link", name="Вологодская область").click()
    page.wait_for_url("**/library/?region=35")
    assert page.get_by_text("Найден 1 материал").is_visible()
    assert page.get_by_role("link", name="Институт полиформатного образования").count() == 0
    screenshot("library-filtered")

    # Other forms of the words, «е» for «ё»: the forms on the page are found and highlighted.
    page.get_by_label("Поиск по библиотеке").fill("технология опека семьей")
    page.get_by_role("button", name="Найти").click()
    page.wait_for_url("**/library/?q=*&region=35")
    assert page.get_by_text("Найден 1 материал").is_visible()
    assert page.locator("mark").all_inner_texts() == ["опеки", "технологии", "семьёй"]
    screenshot("library-search")

    page.get_by_role("link", name="Марафон социальных технологий").click()
    assert page.get_by_role("heading", name="Марафон социальных технологий").is_visible()
    screenshot("library-practice")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Положение о марафоне").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    assert Path(download.path()).read_bytes()[:2] == b"PK"

    page.goto("/library/")
    page.get_by_role("link", name="Предложить практику своего региона").click()
    page.get_by_label("Название практики").fill("Клуб замещающих семей")
    page.get_by_label("Организация").fill("Центр помощи семьям")
    page.get_by_label("Период").fill("2024–2025")
    page.get_by_label("Год").fill("2025")
    page.get_by_label("Кратко").fill("Встречи замещающих родителей с психологом раз в месяц.")
    page.get_by_label("Обучение").check()
    page.get_by_label("Замещающие семьи").check()
    page.get_by_label("Что сделано").fill("Собирали родителей раз в месяц.")
    page.get_by_label("Результаты").fill("46 семей, ни одного возврата ребёнка.")
    upload = tmp_path / "polozhenie.docx"
    upload.write_bytes(docx("Положение о клубе"))
    page.get_by_label("Документы (PDF или DOCX)").set_input_files(upload)
    page.get_by_role("button", name="Отправить в редакцию").click()
    page.wait_for_url("**/library/proposals/")
    assert page.get_by_text("Практика отправлена редакции").is_visible()
    assert page.get_by_role("cell", name="На рассмотрении").is_visible()
    screenshot("library-proposals")
    proposal = Proposal.objects.get()
    assert (proposal.region.code, proposal.status) == ("35", "pending")
