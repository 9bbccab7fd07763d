"""Who may download a document, and the text inside one (for the library's search).

A document is served to whoever may read a page that uses it: a public library page, a library
page restricted to signed-in readers or a group the reader is in, a seminar module page of a
course the reader learns, teaches or coordinates. Editors get every document, and whoever
uploaded one (a proposer, while their practice is a draft) gets their own. Anyone else gets
a 404, so a document's existence does not leak. Pages are found through Wagtail's reference
index, which records every document a page links to (attachments and StreamField blocks).
"""

import io
import re
import zipfile
from xml.etree import ElementTree

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

MAX_TEXT = 200_000  # characters of a document kept for search
MAX_DOCX_XML = 50 * 1024 * 1024
_SPACES = re.compile(r"\s+")
_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def may_download(request, document) -> bool:
    from wagtail.documents import get_document_model
    from wagtail.permissions import policy_registry

    from courses.selectors import module_reader

    from .library import readable
    from .models import LibraryPage, SeminarModulePage

    user = request.user
    policy = policy_registry.get_by_type(get_document_model())
    if user.is_authenticated and policy.user_has_any_permission(user, ["change", "choose"]):
        return True
    if user.is_authenticated and document.uploaded_by_user_id == user.pk:
        return True  # a proposer's own files, while their practice is still a draft
    page_ids = {
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    }
    if not page_ids:
        return False
    if readable(request, LibraryPage.objects.filter(pk__in=page_ids)).exists():
        return True
    modules = SeminarModulePage.objects.live().filter(pk__in=page_ids).values_list("pk", flat=True)
    return any(module_reader(user, pk).can_read for pk in modules)


def extract_text(document) -> str:
    """The words of a PDF or DOCX, whitespace collapsed; empty when there are none to read
    (a scanned PDF, a broken file)."""
    with document.open_file() as f:
        data = f.read()
    try:
        if data.startswith(b"%PDF-"):
            text = _pdf_text(data)
        elif data.startswith(b"PK"):
            text = _docx_text(data)
        else:
            text = ""
    except Exception:  # noqa: BLE001 - a file that cannot be read has no searchable text
        text = ""
    return _SPACES.sub(" ", text).strip()[:MAX_TEXT]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for page in reader.pages:
        parts.append(page.extract_text() or "")
        size += len(parts[-1])
        if size > MAX_TEXT:
            break
    return "\n".join(parts)


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if archive.getinfo("word/document.xml").file_size > MAX_DOCX_XML:
            return ""  # a zip bomb, or a document far beyond what search needs
        xml = archive.read("word/document.xml")
    # The standard library's expat refuses external entities and entity expansion attacks.
    root = ElementTree.fromstring(xml)  # noqa: S314
    paragraphs = []
    for paragraph in root.iter(f"{_WORD_NS}p"):
        paragraphs.append("".join(node.text or "" for node in paragraph.iter(f"{_WORD_NS}t")))
    return "\n".join(paragraphs)
