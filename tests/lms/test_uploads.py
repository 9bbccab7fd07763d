"""lms.uploads: uploaded documents and pictures are judged by their content, never by their name."""

import zipfile
from io import BytesIO

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lms.uploads import (
    CONTENT_TYPES,
    MAX_UPLOAD_BYTES,
    CheckedFileField,
    UploadKind,
    check_upload,
    content_type_for,
    detect_format,
    detect_kind,
    safe_filename,
)

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def docx_bytes(*, macros: bool = False) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Случай</w:t></w:r></w:p></w:body></w:document>",
        )
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 16)
    return buffer.getvalue()


def image_bytes(image_format: str) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "просто архив")
    return buffer.getvalue()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(uploaded, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(uploaded, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("content", "name", "kind", "image_format"),
    [
        (PDF, "отчёт.pdf", UploadKind.PDF, "pdf"),
        (docx_bytes(), "случай.docx", UploadKind.DOCX, "docx"),
        (image_bytes("PNG"), "схема.png", UploadKind.IMAGE, "png"),
        (image_bytes("JPEG"), "фото.jpg", UploadKind.IMAGE, "jpeg"),
        # the name does not matter, in either direction
        (PDF, "отчёт.docx", UploadKind.PDF, "pdf"),
        (image_bytes("PNG"), "без расширения", UploadKind.IMAGE, "png"),
    ],
)
def test_real_files_are_recognised_by_content(content, name, kind, image_format):
    uploaded = upload(content, name)
    uploaded.read(3)  # wherever the position is, detection starts at the beginning
    assert detect_kind(uploaded) == kind
    assert uploaded.tell() == 0
    assert detect_format(uploaded) == image_format
    assert check_upload(uploaded) == kind
    assert uploaded.tell() == 0
    assert uploaded.read() == content


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "отчёт.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "фото.png"),
        (zip_bytes(), "случай.docx"),
        (docx_bytes(macros=True), "случай.docx"),
        ("Просто текст, не документ Word.".encode(), "случай.docx"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "битая.png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "битая.jpg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "анимация.gif"),
    ],
)
def test_disguised_files_are_refused(content, name):
    uploaded = upload(content, name)
    assert detect_kind(uploaded) is None
    error = refusal(uploaded)
    assert error.code == "file_type"
    assert error.messages == [
        f"Файл «{name}» не похож на PDF, DOCX или изображение (PNG, JPEG). "
        "Проверяется содержимое файла, а не его название."
    ]
    assert uploaded.tell() == 0


def test_the_message_lists_only_the_allowed_kinds():
    uploaded = upload(image_bytes("PNG"), "скан.png")
    assert refusal(uploaded, allowed=("pdf",)).messages == [
        "Файл «скан.png» не похож на PDF. Проверяется содержимое файла, а не его название."
    ]
    assert refusal(uploaded, allowed=("pdf", "docx")).messages == [
        "Файл «скан.png» не похож на PDF или DOCX. Проверяется содержимое файла, а не его название."
    ]
    assert check_upload(uploaded, allowed=("image",)) == "image"


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        check_upload(upload(PDF, "a.pdf"), allowed=("exe",))


def test_oversize_refused():
    error = refusal(upload(PDF + b"0" * 2000, "большой.pdf"), max_bytes=1000)
    assert error.code == "file_too_big"
    assert error.messages[0].startswith("Файл «большой.pdf» больше 1000")
    assert check_upload(upload(PDF, "малый.pdf"), max_bytes=len(PDF)) == "pdf"


def test_oversize_message_in_megabytes():
    big = SimpleUploadedFile("огромный.pdf", PDF)
    big.size = MAX_UPLOAD_BYTES + 1
    assert refusal(big).messages == ["Файл «огромный.pdf» больше 10 МБ."]


def test_empty_file_refused():
    error = refusal(upload(b"", "пусто.pdf"))
    assert error.code == "file_empty"
    assert error.messages == ["Файл «пусто.pdf» пустой."]


def test_works_with_plain_file_objects():
    assert detect_kind(BytesIO(PDF)) == "pdf"
    assert check_upload(BytesIO(image_bytes("JPEG"))) == "image"


def test_content_types():
    assert content_type_for("pdf") == CONTENT_TYPES["pdf"] == "application/pdf"
    assert content_type_for("docx") == CONTENT_TYPES["docx"]
    assert content_type_for("PNG") == "image/png"
    assert content_type_for("jpg") == content_type_for("JPEG") == "image/jpeg"
    assert content_type_for("image") == "application/octet-stream"
    assert content_type_for(None) == "application/octet-stream"


class CaseForm(forms.Form):
    attachment = CheckedFileField(allowed=("pdf", "docx"), max_bytes=5000)
    picture = CheckedFileField(required=False)


def test_form_field_accepts_and_records_the_kind():
    form = CaseForm(data={}, files={"attachment": upload(docx_bytes(), "случай.docx")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachment"].detected_kind == "docx"
    assert form.cleaned_data["attachment"].detected_format == "docx"
    assert form.cleaned_data["picture"] is None


def test_form_field_records_the_image_format():
    form = CaseForm(
        data={},
        files={"attachment": upload(PDF, "a.pdf"), "picture": upload(image_bytes("JPEG"), "b")},
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["picture"].detected_kind == "image"
    assert form.cleaned_data["picture"].detected_format == "jpeg"


def test_form_field_refuses_by_content_and_size():
    form = CaseForm(data={}, files={"attachment": upload(image_bytes("PNG"), "случай.pdf")})
    assert not form.is_valid()
    assert form.errors["attachment"] == [
        "Файл «случай.pdf» не похож на PDF или DOCX. "
        "Проверяется содержимое файла, а не его название."
    ]
    form = CaseForm(data={}, files={"attachment": upload(PDF + b" " * 6000, "случай.pdf")})
    assert not form.is_valid()
    assert form.errors["attachment"][0].startswith("Файл «случай.pdf» больше")


def test_form_field_required_and_accept_hint():
    form = CaseForm(data={}, files={})
    assert not form.is_valid()
    assert "attachment" in form.errors
    html = str(CaseForm()["attachment"])
    assert 'accept=".pdf,application/pdf,.docx,' in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("Случай семьи (черновик).docx", "Случай_семьи_черновик_.docx"),
        ("отчёт-2024_итог.pdf", "отчёт-2024_итог.pdf"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("", "file"),
        (None, "file"),
        ("///", "file"),
        ("<script>.png", "_script_.png"),
        ("файл\x00.pdf", "файл_.pdf"),
        ("и\u0306ога.txt", "йога.txt"),  # decomposed «й» (as macOS sends it) stays a letter
        ("café.txt", "caf_.txt"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_caps_length_and_keeps_extension():
    name = safe_filename("а" * 300 + ".docx")
    assert len(name) == 100
    assert name.endswith(".docx")
    assert len(safe_filename("б" * 300)) == 100
