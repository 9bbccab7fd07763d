"""Checks for uploaded documents and pictures, by content rather than by name.

Both the file name and the browser's content type come from the client, and people rename files
freely, so neither is trusted: a PDF starts with «%PDF-», a DOCX is a ZIP archive holding
[Content_Types].xml and word/document.xml (and no macros), and a picture is whatever Pillow opens
and verifies as PNG or JPEG. Anything else is refused with one clear message that says the content
was checked. `safe_filename` gives a name fit for storage and for Content-Disposition, and
`content_type_for` the content type to serve a checked file with.
"""

import os
import re
import unicodedata
import zipfile

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_MB = 1024 * 1024


class UploadKind:
    PDF = "pdf"
    DOCX = "docx"
    IMAGE = "image"  # PNG or JPEG

    ALL = (PDF, DOCX, IMAGE)


IMAGE_FORMATS = ("png", "jpeg")

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# For the file picker only (<input accept>): a hint to the browser, never a check.
ACCEPT = {
    UploadKind.PDF: ".pdf,application/pdf",
    UploadKind.DOCX: ".docx," + CONTENT_TYPES["docx"],
    UploadKind.IMAGE: ".png,.jpg,.jpeg,image/png,image/jpeg",
}

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
DOCX_MACROS = "word/vbaProject.bin"  # a macro-enabled .docm renamed to .docx


def detect_format(uploaded) -> str | None:
    """The format judged by the file's content: "pdf", "docx", "png", "jpeg", or None.

    Reads from the start of the file and leaves the position at the start again."""
    try:
        uploaded.seek(0)
        head = uploaded.read(16)
        if head.startswith(PDF_MAGIC):
            return "pdf"
        if head.startswith(ZIP_MAGIC):
            return "docx" if _is_docx(uploaded) else None
        if head.startswith(PNG_MAGIC) or head.startswith(JPEG_MAGIC):
            return _image_format(uploaded)
        return None
    finally:
        uploaded.seek(0)


def detect_kind(uploaded) -> str | None:
    """UploadKind.PDF, DOCX or IMAGE judged by the file's content, or None.

    Reads from the start of the file and leaves the position at the start again."""
    return _kind_of(detect_format(uploaded))


def _is_docx(uploaded) -> bool:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
    return all(part in names for part in DOCX_PARTS) and DOCX_MACROS not in names


def _image_format(uploaded) -> str | None:
    uploaded.seek(0)
    try:
        with Image.open(uploaded, formats=("PNG", "JPEG")) as image:
            image.verify()
            image_format = image.format
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors on a broken file
        return None
    return image_format.lower() if image_format in ("PNG", "JPEG") else None


def check_upload(uploaded, *, allowed=UploadKind.ALL, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Return the kind of the uploaded file (see UploadKind) or raise ValidationError.

    The file is refused when it is empty, bigger than `max_bytes`, or not one of the `allowed`
    kinds by its content."""
    return _kind_of(_checked_format(uploaded, allowed, max_bytes))


def _kind_of(detected: str | None) -> str | None:
    return UploadKind.IMAGE if detected in IMAGE_FORMATS else detected


def _checked_format(uploaded, allowed, max_bytes: int) -> str:
    _check_kinds(allowed)
    name = os.path.basename((getattr(uploaded, "name", None) or "").replace("\\", "/"))
    size = _size(uploaded)
    if size > max_bytes:
        if max_bytes % _MB == 0:
            message = _("Файл «%(name)s» больше %(size)s МБ.") % {
                "name": name,
                "size": max_bytes // _MB,
            }
        else:
            message = _("Файл «%(name)s» больше %(size)s.") % {
                "name": name,
                "size": filesizeformat(max_bytes),
            }
        raise ValidationError(message, code="file_too_big")
    if size == 0:
        raise ValidationError(_("Файл «%(name)s» пустой.") % {"name": name}, code="file_empty")
    detected = detect_format(uploaded)
    if detected is None or _kind_of(detected) not in allowed:
        raise ValidationError(
            _(
                "Файл «%(name)s» не похож на %(kinds)s. "
                "Проверяется содержимое файла, а не его название."
            )
            % {"name": name, "kinds": _kinds_text(allowed)},
            code="file_type",
        )
    return detected


def _check_kinds(allowed) -> None:
    unknown = set(allowed) - set(UploadKind.ALL)
    if unknown:
        raise ValueError(f"Unknown upload kinds: {sorted(unknown)}")


def _size(uploaded) -> int:
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, os.SEEK_END)
        size = uploaded.tell()
        uploaded.seek(0)
    return size


def _kinds_text(allowed) -> str:
    """«PDF», «PDF или DOCX», «PDF, DOCX или изображение (PNG, JPEG)»: in UploadKind order."""
    labels = {
        UploadKind.PDF: "PDF",
        UploadKind.DOCX: "DOCX",
        UploadKind.IMAGE: _("изображение (PNG, JPEG)"),
    }
    items = [labels[kind] for kind in UploadKind.ALL if kind in allowed]
    if len(items) == 1:
        return items[0]
    return _("%(items)s или %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def content_type_for(kind_or_format: str | None) -> str:
    """The content type to serve a checked file with: from "pdf", "docx", "png", "jpeg" (or
    "jpg", any case, as Pillow's "PNG"/"JPEG"); application/octet-stream for anything else,
    including the bare kind "image" (use detect_format to know which picture it is)."""
    key = (kind_or_format or "").lower().lstrip(".")
    if key == "jpg":
        key = "jpeg"
    return CONTENT_TYPES.get(key, DEFAULT_CONTENT_TYPE)


_UNSAFE_CHARS = re.compile(r"[^0-9A-Za-zА-Яа-яЁё._-]+")
MAX_FILENAME_LENGTH = 100


def safe_filename(name: str | None) -> str:
    """A file name safe to store and to send: only letters (Latin and Cyrillic), digits, dot,
    dash and underscore; any directory part is dropped, other characters become «_», leading
    dots go (no hidden files, no «..»), at most 100 characters keeping the extension, and never
    empty («file»)."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_CHARS.sub("_", name)
    name = re.sub(r"_{2,}", "_", name).lstrip(".").rstrip(".")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME_LENGTH]
    if not name.strip("._-"):
        return "file"
    return name


class CheckedFileField(forms.FileField):
    """A FileField that checks a new upload with check_upload and records what it found on the
    returned file: `.detected_kind` (UploadKind) and `.detected_format` ("pdf", "docx", "png" or
    "jpeg", for content_type_for). An unchanged initial file is not checked again.

        attachment = CheckedFileField(allowed=("pdf", "docx"), max_bytes=5 * 1024 * 1024)
    """

    def __init__(self, *, allowed=UploadKind.ALL, max_bytes: int = MAX_UPLOAD_BYTES, **kwargs):
        _check_kinds(allowed)
        self.allowed = tuple(allowed)
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs.setdefault("accept", ",".join(ACCEPT[kind] for kind in self.allowed))
        return attrs

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        if not cleaned or cleaned is initial:
            return cleaned
        detected = _checked_format(cleaned, self.allowed, self.max_bytes)
        cleaned.detected_format = detected
        cleaned.detected_kind = _kind_of(detected)
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CheckedFilesField(CheckedFileField):
    """Several files in one field, each checked as by CheckedFileField; at most ``max_files``.
    Cleans to a list (empty when nothing was chosen)."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int, **kwargs):
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > self.max_files:
            raise ValidationError(
                _("Можно приложить не больше %(n)s файлов.") % {"n": self.max_files},
                code="too_many_files",
            )
        return [super(CheckedFilesField, self).clean(f, initial) for f in files]
