"""The library as its readers and editors meet it: filters and counts, search, restricted pages,
documents that only the right people can download, reading counts, feeds."""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms.library import highlight, library_changed
from cms.models import (
    HomePage,
    LibraryAttachment,
    LibraryDocument,
    ModuleIndexPage,
    Reading,
    RecommendationPage,
    SeminarModulePage,
)
from lms.versions import CSRF_PLACEHOLDER
from tests.factories import (
    document,
    docx,
    enroll,
    make_cohort,
    make_course,
    make_user,
    practice,
    region,
)

pytestmark = pytest.mark.django_db


def test_filters_combine_and_each_facet_counts_what_the_other_filters_leave(client, library):
    practice(library, "Марафон технологий", code="35", topics=["prevention"], groups=["birth"])
    practice(library, "Институт образования", code="38", topics=["training"], groups=["foster"])
    practice(library, "Площадка в Тюмени", code="72", year=2024, topics=["prevention"])

    page = client.get("/library/?region=35&topic=prevention").content.decode()
    assert "Марафон технологий" in page
    assert "Институт образования" not in page and "Площадка в Тюмени" not in page
    assert "Найден 1 материал" in page
    # Regions are counted under the topic filter only: two regions have prevention practices.
    assert 'Вологодская область</a>\n                <span class="muted">(1)' in page
    assert 'Тюменская область</a>\n                <span class="muted">(1)' in page
    assert "Иркутская область" not in page

    page = client.get("/library/?type=practice&year=2024").content.decode()
    assert "Площадка в Тюмени" in page and "Марафон технологий" not in page

    # In English the regions are named in English, and in English alphabetical order.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/library/?topic=prevention").content.decode()
    assert 'Tyumen Oblast</a>\n                <span class="muted">(1)' in page
    assert page.index("Tyumen Oblast</a>") < page.index("Vologda Oblast</a>")  # T before V
    assert "Вологодская область" not in page


def test_addresses_are_canonical_and_bad_filters_are_explained(client, library):
    practice(library, "Марафон технологий")
    response = client.get("/library/?year=&region=35&q=")
    assert response.status_code == 302
    assert response["Location"] == "/library/?region=35"

    page = client.get("/library/?region=99&topic=nothing").content.decode()
    assert "Региона с кодом «99» нет" in page
    assert "Такой темы нет" in page
    assert "Марафон технологий" in page  # the rest of the library is still shown


def test_the_index_costs_the_same_queries_for_a_few_and_for_many_pages(client, library):
    def queries(cached: bool):
        url = "/library/?q=семинары&topic=prevention"
        client.get(url)  # warm the content-type cache, and the listing's
        if not cached:
            library_changed()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    for n in range(3):
        practice(library, f"Практика {n}", topics=["prevention"], groups=["birth"])
    few, few_cached = queries(cached=False), queries(cached=True)
    for n in range(3, 45):
        practice(library, f"Практика {n}", code=("35", "38", "72")[n % 3], topics=["prevention"])
    assert queries(cached=False) == few
    assert queries(cached=True) == few_cached < few


def test_the_cached_index_follows_publication_privacy_and_the_reader(
    client, library, django_capture_on_commit_callbacks
):
    def committed(change):
        """Cached listings are dropped when a change is committed, as a request's would be."""
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    shown = practice(library, "Марафон технологий")
    assert ">Регион</h2>" in client.get("/library/").content.decode()
    # The same listing in the reader's own language, not in the language it was cached in.
    client.cookies["django_language"] = "en"
    assert ">Region</h2>" in client.get("/library/").content.decode()
    del client.cookies["django_language"]
    fresh = committed(lambda: practice(library, "Новая практика"))
    assert "Новая практика" in client.get("/library/").content.decode()
    committed(fresh.unpublish)
    assert "Новая практика" not in client.get("/library/").content.decode()
    committed(
        lambda: PageViewRestriction.objects.create(
            page=shown, restriction_type=PageViewRestriction.LOGIN
        )
    )
    assert "Марафон технологий" not in client.get("/library/").content.decode()
    client.force_login(make_user("reader@example.org", role="manager", region_code="35"))
    assert "Марафон технологий" in client.get("/library/").content.decode()
    client.logout()
    assert "Марафон технологий" not in client.get("/library/").content.decode()


def test_search_results_are_paged_in_order_of_relevance(client, library, monkeypatch):
    pages = [practice(library, f"Практика {n}", topics=["prevention"]) for n in range(5)]
    practice(library, "Другая тема", topics=["training"])
    relevance = [pages[3].pk, pages[0].pk, pages[4].pk, pages[1].pk, pages[2].pk]
    monkeypatch.setattr("cms.library.search_ids", lambda queryset, query: relevance)
    monkeypatch.setattr("cms.library.PAGE_SIZE", 2)

    def titles(url):
        html = client.get(url).content.decode()
        return [t for t in (f"Практика {n}" for n in range(5)) if t in html]

    first = client.get("/library/?q=практика&topic=prevention").content.decode()
    assert first.index("Практика 3") < first.index("Практика 0")
    assert titles("/library/?q=практика&topic=prevention") == ["Практика 0", "Практика 3"]
    assert titles("/library/?q=практика&topic=prevention&page=2") == ["Практика 1", "Практика 4"]
    assert titles("/library/?q=практика&topic=prevention&page=3") == ["Практика 2"]


def test_highlight_marks_words_of_the_same_stem_and_escapes_the_rest():
    text = "Помощь семья <script>получает</script> вовремя; опекун и семьи."
    snippet = str(highlight(text, "семьи опекуны"))
    assert "<mark>семья</mark>" in snippet and "<mark>семьи</mark>" in snippet
    assert "<mark>опекун</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_restricted_pages_and_their_documents_reach_only_the_readers_allowed(client, library):
    public_doc = document("Открытый документ", name="open.docx")
    private_doc = document("Для управленцев", name="closed.docx")
    group_doc = document("Для группы", name="group.docx")
    open_page = practice(library, "Открытая практика")
    open_page.attachments = [LibraryAttachment(document=public_doc)]
    open_page.save_revision().publish()
    closed = practice(library, "Закрытая практика")
    closed.attachments = [LibraryAttachment(document=private_doc)]
    closed.save_revision().publish()
    PageViewRestriction.objects.create(page=closed, restriction_type=PageViewRestriction.LOGIN)
    grouped = practice(library, "Практика для группы")
    grouped.attachments = [LibraryAttachment(document=group_doc)]
    grouped.save_revision().publish()
    managers = Group.objects.create(name="Управленцы регионов")
    restriction = PageViewRestriction.objects.create(
        page=grouped, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(managers)
    orphan = document("Ни к чему не приложен", name="orphan.docx")

    index = client.get("/library/").content.decode()
    assert "Открытая практика" in index and "Закрытая практика" not in index
    assert client.get(closed.url).status_code == 302  # to the login page
    assert client.get(public_doc.url).status_code == 200
    for doc in (private_doc, group_doc, orphan):
        assert client.get(doc.url).status_code == 404

    reader = make_user("reader@example.org", role="manager")
    client.force_login(reader)
    index = client.get("/library/").content.decode()
    assert "Закрытая практика" in index and "Практика для группы" not in index
    response = client.get(private_doc.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(group_doc.url).status_code == 404
    reader.groups.add(managers)
    assert client.get(group_doc.url).status_code == 200
    assert "Практика для группы" in client.get("/library/").content.decode()
    assert client.get(orphan.url).status_code == 404

    editor = make_user("editor@example.org", role="editor", totp=True)
    client.force_login(editor)
    assert client.get(orphan.url).status_code == 200


def test_documents_have_no_media_url(settings, library):
    doc = document()
    with pytest.raises(NotImplementedError):
        doc.file.url  # noqa: B018
    assert not str(doc.file.path).startswith(str(settings.MEDIA_ROOT))


def test_module_handouts_follow_course_enrolment(client):
    home = HomePage.objects.get()
    modules = home.add_child(instance=ModuleIndexPage(title="Модули", slug="modules"))
    handout = document("Раздаточный материал", name="handout.docx")
    page = modules.add_child(
        instance=SeminarModulePage(
            title="Работа со случаем",
            slug="case",
            summary="Кратко",
            body=[("handout", {"document": handout, "note": ""})],
        )
    )
    course = make_course()
    module = course.modules.first()
    module.page = page
    module.save()
    learner = make_user("learner@example.org", role="specialist")
    enroll(learner, make_cohort(course))
    outsider = make_user("outsider@example.org", role="specialist")

    assert client.get(handout.url).status_code == 404
    client.force_login(outsider)
    assert client.get(handout.url).status_code == 404
    client.force_login(learner)
    assert client.get(handout.url).status_code == 200


def test_words_inside_a_document_are_found(client, library, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        doc = document(content=docx("Наставничество выпускников интернатов"), name="m.docx")
    assert "Наставничество" in LibraryDocument.objects.get(pk=doc.pk).text
    page = practice(library, "Практика без этого слова")
    page.attachments = [LibraryAttachment(document=doc)]
    page.save_revision().publish()
    practice(library, "Другая практика")

    found = client.get("/library/?q=Наставничество").content.decode()
    assert "Практика без этого слова" in found and "Другая практика" not in found


def test_text_read_after_the_page_was_listed_is_found_at_once(
    client, library, django_capture_on_commit_callbacks
):
    """The text of a document is read in the background after the page is published and its
    listings kept: the task makes the kept listings stale, so the next search finds it."""
    doc = document(content=docx("Наставничество выпускников интернатов"), name="m.docx")
    page = practice(library, "Практика без этого слова")
    page.attachments = [LibraryAttachment(document=doc)]
    page.save_revision().publish()
    assert (
        "Практика без этого слова" not in client.get("/library/?q=Наставничество").content.decode()
    )
    from cms.tasks import document_text_extract

    document_text_extract(doc.pk)  # what the worker does
    found = client.get("/library/?q=Наставничество").content.decode()
    assert "Практика без этого слова" in found


def test_a_document_whose_reading_was_lost_is_read_by_the_sweep(
    client, library, django_capture_on_commit_callbacks
):
    """The reading task never ran (the broker was down at the upload, or a worker died): the
    periodic sweep hands it over again once the requeue window has passed, once a window."""
    import datetime as dt

    from django.utils import timezone

    from cms.models import LibraryDocument
    from cms.tasks import documents_text_sweep

    lost = document(content=docx("Наставничество выпускников интернатов"), name="m.docx")
    read = document(content=docx("Другой текст"), name="r.docx")
    read.refresh_from_db()
    LibraryDocument.objects.filter(pk=read.pk).update(
        text="Другой текст", text_read_at=timezone.now()
    )
    page = practice(library, "Практика без этого слова")
    page.attachments = [LibraryAttachment(document=lost)]
    page.save_revision().publish()

    assert documents_text_sweep() == 0  # not yet: the task may still be on its way
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    LibraryDocument.objects.update(text_queued_at=an_hour_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_text_sweep() == 1  # the unread one only
    lost.refresh_from_db()
    assert lost.text_read_at is not None and "Наставничество" in lost.text
    assert "Практика без этого слова" in client.get("/library/?q=Наставничество").content.decode()
    assert documents_text_sweep() == 0


def test_a_draft_keeps_what_is_kept_and_publishing_replaces_it(library):
    """Saving a draft changes nothing a reader sees: rosters, panels and routes stay kept."""
    from lms.versions import PAGES, current

    page = practice(library, "Марафон технологий")
    before = current([PAGES])
    page.title = "Марафон технологий: черновик"
    page.save_revision()
    assert current([PAGES]) == before
    page.get_latest_revision().publish()
    assert current([PAGES]) != before


def test_a_pdf_document_is_read_too(library, django_capture_on_commit_callbacks):
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Supervision checklist")
    canvas.save()
    with django_capture_on_commit_callbacks(execute=True):
        doc = document(content=buffer.getvalue(), name="checklist.pdf")
    assert "Supervision checklist" in LibraryDocument.objects.get(pk=doc.pk).text


def test_reading_is_counted_once_per_signed_in_reader_with_their_region(client, library):
    page = practice(library, "Марафон технологий")
    client.get(page.url)
    assert Reading.objects.count() == 0  # visitors are not counted
    reader = make_user("reader@example.org", role="manager", region_code="35")
    client.force_login(reader)
    client.get(page.url)
    client.get(page.url)
    reading = Reading.objects.get()
    assert (reading.user, reading.region.code) == (reader, "35")
    assert "Прочитал 1 специалист" in client.get(page.url).content.decode()


def test_coordinators_see_who_reads_in_their_region_and_editors_in_every_region(
    client, client_as, library
):
    vologda = practice(library, "Марафон технологий", code="35")
    irkutsk = practice(library, "Институт образования", code="38")
    readers = [
        make_user("m35a@example.org", role="manager", region_code="35"),
        make_user("m35b@example.org", role="manager", region_code="35"),
        make_user("s35@example.org", role="specialist", region_code="35"),
        make_user("m38@example.org", role="manager", region_code="38"),
    ]
    for reader in readers[:3]:
        client_as(reader).get(vologda.url)
    client_as(readers[0]).get(irkutsk.url)
    client_as(readers[3]).get(irkutsk.url)

    coordinator = make_user("c35@example.org", role="coordinator", region_code="35", totp=True)
    page = client_as(coordinator).get("/library/readers/").content.decode()
    assert "4 зарегистрированных читателей из 2 регионов" in page  # the programme's totals
    # Their own region only: 3 readers, 2 of them managers, 2 pages read.
    assert '<th scope="row">Вологодская область</th><td>3</td><td>2</td><td>2</td>' in page
    assert "Иркутская область</th>" not in page
    assert page.index("Марафон технологий") < page.index("Институт образования")

    coordinator.language = "en"
    coordinator.save()
    page = client_as(coordinator).get("/library/readers/").content.decode()
    assert '<th scope="row">Vologda Oblast</th><td>3</td><td>2</td><td>2</td>' in page

    editor = make_user("editor@example.org", role="editor", totp=True)
    page = client_as(editor).get("/library/readers/").content.decode()
    assert '<th scope="row">Иркутская область</th><td>1</td><td>1</td><td>1</td>' in page
    assert "/library/readers/" in client_as(editor).get("/library/").content.decode()
    # The index's line on readers is kept a while: it does not count every reading each time.
    with CaptureQueriesContext(connection) as queries:
        assert "Библиотеку читали" in client_as(editor).get("/library/").content.decode()
    assert not [q for q in queries if "cms_reading" in q["sql"]]

    assert client_as(readers[0]).get("/library/readers/").status_code == 403
    assert "/library/readers/" not in client_as(readers[0]).get("/library/").content.decode()
    client.logout()
    assert client.get("/library/readers/").status_code == 302


def test_an_adopted_recommendation_needs_its_act(library):
    page = RecommendationPage(
        title="Рекомендация",
        slug="rec",
        summary="Кратко",
        region=region("38"),
        year=2019,
        authors="Учебный центр",
        body=[("paragraph", "<p>Текст</p>")],
        status=RecommendationPage.Status.ADOPTED,
    )
    with pytest.raises(ValidationError, match="номер и дату акта"):
        page.full_clean()


def test_feeds_sitemap_and_sharing_tags_show_public_pages_only(client, library):
    shared = practice(library, "Открытая практика", summary="Как помочь семье вовремя.")
    closed = practice(library, "Закрытая практика")
    PageViewRestriction.objects.create(page=closed, restriction_type=PageViewRestriction.LOGIN)

    atom = client.get("/library.atom").content.decode()
    assert "Открытая практика" in atom and "Закрытая практика" not in atom
    assert "Открытая практика" in client.get("/library.rss").content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert shared.url in sitemap and closed.url not in sitemap
    page = client.get(shared.url).content.decode()
    assert '<meta property="og:title" content="Открытая практика">' in page
    assert '<meta property="og:description" content="Как помочь семье вовремя.">' in page


def test_the_admin_refuses_a_document_whose_content_is_not_pdf_or_docx(client, library):
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor = make_user("editor@example.org", role="editor", totp=True)
    client.force_login(editor)
    fake = SimpleUploadedFile("plan.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post("/admin/documents/add/", {"title": "План", "file": fake})
    assert response.status_code == 200
    assert "Проверяется содержимое файла" in response.content.decode()
    assert not LibraryDocument.objects.exists()

    real = SimpleUploadedFile("plan.docx", docx("План работы"))
    response = client.post("/admin/documents/add/", {"title": "План", "file": real})
    assert response.status_code == 302
    assert LibraryDocument.objects.get().title == "План"


def test_a_visitors_page_is_kept_whole_with_each_visitors_own_csrf_token(library):
    from django.test import Client

    practice(library, "Марафон технологий")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/library/")
    with CaptureQueriesContext(connection) as kept:
        html = second.get("/library/").content.decode()
    assert "Марафон технологий" in html
    assert not [q for q in kept if "cms_librarypage" in q["sql"]]  # the page came kept
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert token != CSRF_PLACEHOLDER
    response = second.post(
        "/language/", {"language": "en", "next": "/library/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302  # the token works for the visitor it was given to


def test_a_message_for_one_visitor_is_never_kept_for_another(client, library):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import Client, RequestFactory

    practice(library, "Марафон технологий")
    storage = CookieStorage(RequestFactory().get("/"))
    response = client.get("/library/")
    storage.add(constants.INFO, "Вы вышли из системы.")
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "Вы вышли из системы." in client.get("/library/").content.decode()
    assert "Вы вышли из системы." not in Client().get("/library/").content.decode()
