"""certificates.pdf: the certificate PDF, read back with pypdf. No database."""

import logging
import re
from dataclasses import FrozenInstanceError, replace
from datetime import date
from io import BytesIO

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFile

from certificates.pdf import (
    FONT,
    FONT_BOLD,
    FONT_DIR,
    NBSP,
    CertificateContent,
    CertificateRenderer,
    Signatory,
    dehint,
    draw_qr,
    fill_body,
    floor_pdf,
    hours_phrase,
    prepare_image,
    qr_matrix,
    russian_date,
    short_url,
    statement_lines,
)

URL = "https://opeka.example.org/verify/Xk3f9QpL2mZ7wR4t"  # 48 characters
LONG_NAME = ("Константинопольская-Верхнеднепровская Александра-Мария Вильгельмовна " * 3)[:150]
LONG_SUBJECT = (
    "Семейно-ориентированный подход в работе органов опеки и попечительства "
    "с кровными, замещающими и приёмными семьями, "
) * 4
LONG_SUBJECT = LONG_SUBJECT[:400]


def png(width=360, height=120, seed=0) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (10 + i * width / 25, height / 2 + ((i * 37 + seed * 13) % 40) - 20) for i in range(24)
    ]
    draw.line(points, fill=(20, 40, 120, 255), width=4)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width=600, height=850) -> bytes:
    image = Image.new("RGB", (width, height), (250, 246, 236))
    ImageDraw.Draw(image).rectangle((20, 20, width - 20, height - 20), outline=(160, 120, 60))
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def content(**changes) -> CertificateContent:
    values = {
        "serial": "ОП-2026-000123",
        "holder_name": "Хасанова Алсу Ильдаровна",
        "subject": "Семейно-ориентированный подход в работе органов опеки и попечительства",
        "hours": 72,
        "date_from": date(2027, 3, 1),
        "date_to": date(2027, 3, 12),
        "issued_on": date(2027, 3, 15),
        "verify_url": URL,
        "organisation_line": "Программа повышения квалификации специалистов органов опеки",
        "logo": png(240, 240, 9),
        "signatories": (
            Signatory("Е. В. Морозова", "Руководитель программы", png(seed=1)),
            Signatory("А. Р. Галиев", "Директор АНО «Центр семейного устройства»", png(seed=2)),
        ),
    }
    values.update(changes)
    return CertificateContent(**values)


@pytest.fixture(scope="module")
def renderer():
    return CertificateRenderer()


def read(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """The page's text with every run of whitespace (line breaks, no-break spaces) one space."""
    return " ".join(read(pdf).pages[0].extract_text().split())


def spans(pdf: bytes) -> list[tuple[float, float, str, str]]:
    """(x, font size, font, text) of every piece of text pypdf finds on the page."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() and font_dict:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            font = font_dict["/BaseFont"].split("+")[-1]
            found.append((x, font_size * tm[0] * cm[0], font, text.strip()))

    read(pdf).pages[0].extract_text(visitor_text=visit)
    return found


# --- what is printed --------------------------------------------------------------------------


def test_the_certificate_says_who_what_how_long_and_when(renderer):
    pdf = renderer.render(content())
    text = text_of(pdf)

    assert "Хасанова Алсу Ильдаровна" in text
    assert "ОП-2026-000123" in text
    assert "Семейно-ориентированный подход в работе органов опеки и попечительства" in text
    assert "72 академических часа" in text
    assert "с 1 марта 2027 г. по 12 марта 2027 г." in text
    assert "Дата выдачи: 15 марта 2027 г." in text
    assert "настоящим подтверждается, что" in text
    assert "СЕРТИФИКАТ" in text
    assert "Е. В. Морозова" in text and "Директор АНО «Центр семейного устройства»" in text
    # the address under the QR code is broken into lines; the link carries all of it
    assert short_url(URL) in text.replace(" ", "")
    annotations = [a.get_object() for a in read(pdf).pages[0]["/Annots"]]
    assert [a["/A"]["/URI"] for a in annotations] == [URL]


def test_metadata_one_page_and_a4_portrait(renderer):
    reader = read(renderer.render(content()))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595.2756, 841.8898))
    assert reader.metadata.title == "СЕРТИФИКАТ ОП-2026-000123"
    assert reader.metadata.author == "Программа повышения квалификации специалистов органов опеки"


def test_landscape_is_a4_landscape(renderer):
    reader = read(renderer.render(content(landscape=True)))

    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((841.8898, 595.2756))
    assert "Хасанова Алсу Ильдаровна" in text_of(renderer.render(content(landscape=True)))


def test_a_typical_certificate_is_under_60_kb(renderer):
    pdf = renderer.render(content())  # a logo and two signature images included

    assert len(pdf) < 60 * 1024


def test_a_one_day_event_prints_one_date(renderer):
    text = text_of(renderer.render(content(date_to=date(2027, 3, 1))))

    assert "Сроки проведения: 1 марта 2027 г." in text
    assert " по " not in text.split("Сроки проведения:")[1].split("Е. В.")[0]


# --- user text is text, never markup --------------------------------------------------------


@pytest.mark.parametrize("landscape", [False, True])
def test_markup_in_user_text_is_printed_as_typed(renderer, landscape):
    name = "<b>Иван</b> & Ко"
    pdf = renderer.render(
        content(
            holder_name=name,
            subject="A < B & <font size=40>C</font>",
            heading="<para>СЕРТИФИКАТ</para>",
            organisation_line="Центр «Семья» & <i>партнёры</i>",
            body="прошёл: <br/> &amp; {subject}\nвторая строка <img src='x'/>",
            signatories=(Signatory("<u>Петров</u>", "Директор & <strike>зам</strike>"),),
            landscape=landscape,
        )
    )
    text = text_of(pdf)

    assert name in text
    assert "«A < B & <font size=40>C</font>»" in text
    assert "<para>СЕРТИФИКАТ</para>" in text
    assert "Центр «Семья» & <i>партнёры</i>" in text
    assert "прошёл: <br/> &amp; A < B & <font size=40>C</font>" in text
    assert "вторая строка <img src='x'/>" in text
    assert "<u>Петров</u>" in text and "Директор & <strike>зам</strike>" in text


def test_markup_survives_wrapping_too(renderer):
    name = ("<b>Иван</b> & Ко " * 12).strip()  # too long for one line: a Paragraph
    blocks = renderer.statement(content(holder_name=name), 495)
    assert blocks[1].paragraph is not None

    assert name in text_of(renderer.render(content(holder_name=name)))


# --- long names and subjects ----------------------------------------------------------------


def test_fit_font_size_is_the_largest_that_fits_one_line():
    width = 495
    short = "Хасанова Алсу Ильдаровна"
    medium = "Хасанова-Ибрагимова Алсу Ильдаровна"

    assert CertificateRenderer.fit_font_size(short, FONT_BOLD, 30, 18, width) == 30
    size = CertificateRenderer.fit_font_size(medium, FONT_BOLD, 30, 18, width)
    assert 18 < size < 30
    assert pdfmetrics.stringWidth(medium, FONT_BOLD, size) <= width
    assert pdfmetrics.stringWidth(medium, FONT_BOLD, size + 0.5) > width
    # too long even at the smallest size: the smallest, and the text wraps
    assert CertificateRenderer.fit_font_size(LONG_NAME, FONT_BOLD, 30, 18, width) == 18
    assert CertificateRenderer.fit_font_size("", FONT_BOLD, 30, 18, width) == 30


@pytest.mark.parametrize("landscape", [False, True])
def test_a_long_name_and_subject_shrink_wrap_and_stay_on_the_page(renderer, landscape):
    certificate = content(holder_name=LONG_NAME, subject=LONG_SUBJECT, landscape=landscape)
    pdf = renderer.render(certificate)
    page_width, _ = renderer.page_size(certificate)
    inner = page_width - 2 * renderer.MARGIN

    assert len(read(pdf).pages) == 1
    size = renderer.fit_font_size(LONG_NAME, FONT_BOLD, renderer.NAME_MAX, renderer.NAME_MIN, inner)
    assert size == renderer.NAME_MIN
    assert pdfmetrics.stringWidth(LONG_NAME, FONT_BOLD, size) > inner  # so it must wrap
    for block in renderer.statement(certificate, inner):
        assert block.widest_line() <= inner + 0.01
    # every piece of text on the page starts and ends inside the margins
    for x, font_size, font, text in spans(pdf):
        if font_size >= renderer.HEADING_MIN:
            continue  # the letter-spaced heading: pypdf does not report the spacing
        width = pdfmetrics.stringWidth(text, FONT_BOLD if "Bold" in font else FONT, font_size)
        assert x >= renderer.MARGIN - 0.5, text
        assert x + width <= page_width - renderer.MARGIN + 0.5, text
    text = text_of(pdf)
    assert " ".join(LONG_NAME.split()) in text
    assert " ".join(LONG_SUBJECT.split()) in text


def test_the_name_stays_large_when_it_fits(renderer):
    blocks = renderer.statement(content(), 495)

    assert blocks[1].size == renderer.NAME_MAX
    assert blocks[1].paragraph is None  # one line: drawn directly


# --- the body template ----------------------------------------------------------------------


def test_body_placeholders_are_filled(renderer):
    body = "выдан {holder} за «{subject}», {hours}, с {date_from} по {{ date_to }}"
    text = text_of(renderer.render(content(body=body)))

    assert (
        "выдан Хасанова Алсу Ильдаровна за «Семейно-ориентированный подход в работе органов "
        "опеки и попечительства», 72 академических часа, с 1 марта 2027 г. по 12 марта 2027 г."
    ) in text


@pytest.mark.parametrize(
    "body, expected",
    [
        ("{holder} {unknown} {", "Иван {unknown} {"),
        ("{holder", "{holder"),
        ("holder}", "holder}"),
        ("{0} {} {hours!r} {hours:>5}", "{0} {} {hours!r} {hours:>5}"),
        ("{{holder}} { holder }", "Иван Иван"),
        ("{HOLDER}", "{HOLDER}"),
        ("", ""),
    ],
)
def test_unknown_or_broken_placeholders_stay_as_typed(body, expected):
    assert fill_body(body, content(holder_name="Иван")) == expected


def test_a_malformed_body_renders(renderer):
    text = text_of(renderer.render(content(body="{holder} {unknown} {")))

    assert "Хасанова Алсу Ильдаровна {unknown} {" in text


def test_the_standard_statement_puts_the_body_between_name_and_subject():
    lines = statement_lines(content(body="успешно прошёл(-ла)\nобучение по программе"))

    assert lines == [
        ("intro", "настоящим подтверждается, что"),
        ("name", "Хасанова Алсу Ильдаровна"),
        ("body", "успешно прошёл(-ла)"),
        ("body", "обучение по программе"),
        ("subject", "«Семейно-ориентированный подход в работе органов опеки и попечительства»"),
        ("fact", "Объём программы: " + "72 академических часа".replace(" ", NBSP)),
        (
            "fact",
            "Сроки проведения: "
            + "с 1 марта 2027 г.".replace(" ", NBSP)
            + " по "
            + "12 марта 2027 г.".replace(" ", NBSP),
        ),
    ]


TEMPLATE_BODY = (  # certificates.models.DEFAULT_BODY: the body is the whole statement
    "настоящим подтверждается, что\n{holder}\nпрошёл(а) обучение по программе\n«{subject}»\n"
    "в объёме {hours} с {date_from} по {date_to}"
)


def test_a_body_naming_the_holder_is_the_whole_statement(renderer):
    certificate = content(body=TEMPLATE_BODY + "\n\n{unknown}", landscape=True)
    kinds = [kind for kind, _ in statement_lines(certificate)]

    assert kinds == ["intro", "name", "body", "subject", "body", "gap", "body"]
    blocks = renderer.statement(certificate, 742)
    assert blocks[1].size == renderer.NAME_MAX  # the name large, the subject in its style
    assert blocks[3].text == (
        "«Семейно-ориентированный подход в работе органов опеки и попечительства»"
    )
    text = text_of(renderer.render(certificate))
    assert text.count("Хасанова Алсу Ильдаровна") == 1
    assert text.count("настоящим подтверждается, что") == 1
    assert text.count("Семейно-ориентированный подход") == 1
    assert "в объёме 72 академических часа с 1 марта 2027 г. по 12 марта 2027 г." in text
    assert "Объём программы" not in text and "{unknown}" in text


def test_an_empty_body_is_left_out(renderer):
    text = text_of(renderer.render(content(body="")))

    assert "прошёл" not in text
    assert "Хасанова Алсу Ильдаровна «Семейно-ориентированный" in text


# --- signatories and images -----------------------------------------------------------------


def test_signatories_with_signature_images_render(renderer):
    signatories = tuple(
        Signatory(f"Подписант {i}", f"Должность номер {i}", png(seed=i)) for i in range(3)
    )
    pdf = renderer.render(content(signatories=signatories))
    page = read(pdf).pages[0]

    text = text_of(pdf)
    for i in range(3):
        assert f"Подписант {i}" in text and f"Должность номер {i}" in text
    assert len(page.images) == 4  # the logo and three signatures
    for image in page.images:
        assert image.image.size[0] > 0
    # transparent signatures keep their transparency
    xobjects = page["/Resources"]["/XObject"]
    assert sum("/SMask" in xobjects[name].get_object() for name in xobjects) == 4


def test_the_same_image_is_embedded_once(renderer):
    signature = png(seed=5)
    signatories = (Signatory("А", "Б", signature), Signatory("В", "Г", signature))
    page = read(renderer.render(content(signatories=signatories, logo=None))).pages[0]

    assert len(page["/Resources"]["/XObject"]) == 1


def test_no_signatories_no_logo(renderer):
    pdf = renderer.render(content(signatories=(), logo=None))

    assert len(read(pdf).pages) == 1
    assert "Хасанова Алсу Ильдаровна" in text_of(pdf)


def test_at_most_three_signatories():
    with pytest.raises(ValueError, match="at most 3"):
        content(signatories=tuple(Signatory(str(i), "") for i in range(4)))


def test_a_broken_image_is_left_out_with_a_warning(renderer, caplog):
    with caplog.at_level(logging.WARNING, logger="certificates.pdf"):
        pdf = renderer.render(
            content(logo=b"not an image", signatories=(Signatory("А", "Б", b"\x89PNG junk"),))
        )

    assert "Хасанова Алсу Ильдаровна" in text_of(pdf)
    assert "an image could not be read" in caplog.text


def test_a_jpeg_background_goes_in_as_uploaded(renderer):
    background = jpeg()
    pdf = renderer.render(content(background=background, logo=None, signatories=()))
    page = read(pdf).pages[0]

    assert [image.name.endswith(".jpg") for image in page.images] == [True]
    assert background in pdf  # not decoded and re-encoded
    assert "Хасанова Алсу Ильдаровна" in text_of(pdf)


def test_large_images_are_scaled_down_to_the_page():
    prepared = prepare_image(png(3000, 1000, 3), 600)

    assert (prepared.width, prepared.height) == (600, 200)
    assert prepared.alpha is not None
    opaque = prepare_image(jpeg(2000, 1000), 500)
    assert (opaque.width, opaque.height, opaque.jpeg) == (500, 250, False)
    assert prepare_image(jpeg(400, 300), 500).jpeg is True


# --- the QR code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, modules",
    [
        (URL, 33),  # 48 bytes: version 4 at error correction M
        ("https://opeka.org/v/1", 25),  # 21 bytes: version 2
        ("https://opeka.example.org/verify/" + "x" * 60, 41),  # 93 bytes: version 6
    ],
)
def test_qr_matrix_has_the_modules_of_its_version(url, modules):
    matrix = qr_matrix(url)

    assert len(matrix) == modules
    assert all(len(row) == modules for row in matrix)
    # the three finder patterns: dark 7×7 corners
    assert all(matrix[0][:7]) and all(matrix[0][-7:]) and all(matrix[-1][:7])


class _Path:
    def __init__(self):
        self.rects = []

    def rect(self, x, y, width, height):
        self.rects.append((x, y, width, height))


class _Canvas:
    """Just enough canvas for draw_qr: records the rectangles of the one path it fills."""

    def __init__(self):
        self.path = _Path()
        self.filled = False

    def beginPath(self):  # noqa: N802 - reportlab's name
        return self.path

    def drawPath(self, path, stroke, fill):  # noqa: N802
        self.filled = fill and not stroke

    def saveState(self):  # noqa: N802
        pass

    def restoreState(self):  # noqa: N802
        pass

    def setFillColorRGB(self, *rgb):  # noqa: N802
        pass


def test_the_qr_code_is_drawn_module_by_module():
    matrix = qr_matrix(URL)
    canvas = _Canvas()
    draw_qr(canvas, matrix, 100, 200, 84)

    cell = 84 / len(matrix)
    drawn = sum(round((width - 0.05) / cell) for _, _, width, _ in canvas.path.rects)
    assert drawn == sum(map(sum, matrix))  # every dark module, none twice
    assert canvas.filled
    assert min(x for x, *_ in canvas.path.rects) == pytest.approx(100)
    assert max(y + h for _, y, _, h in canvas.path.rects) == pytest.approx(284, abs=0.1)


# --- Russian wording ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hours, expected",
    [
        (1, "1 академический час"),
        (2, "2 академических часа"),
        (4, "4 академических часа"),
        (5, "5 академических часов"),
        (11, "11 академических часов"),
        (12, "12 академических часов"),
        (14, "14 академических часов"),
        (21, "21 академический час"),
        (22, "22 академических часа"),
        (72, "72 академических часа"),
        (100, "100 академических часов"),
        (111, "111 академических часов"),
        (0, "0 академических часов"),
    ],
)
def test_hours_are_declined(hours, expected):
    assert hours_phrase(hours) == expected


def test_dates_in_russian_whatever_the_locale():
    months = [russian_date(date(2027, month, 12)) for month in range(1, 13)]

    assert months[2] == "12 марта 2027 г."
    assert [m.split()[1] for m in months] == [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ]


# --- the floor and the fonts ----------------------------------------------------------------


def test_the_floor_has_the_same_lines(renderer):
    pdf = floor_pdf(content())
    text = text_of(pdf)

    assert len(read(pdf).pages) == 1
    for line in ("Хасанова Алсу Ильдаровна", "ОП-2026-000123", "72 академических часа"):
        assert line in text
    assert not read(pdf).pages[0].images


def test_fonts_are_embedded_as_subsets_without_hinting(renderer):
    pdf = renderer.render(content())
    fonts = {
        font.get_object()["/BaseFont"]
        for font in read(pdf).pages[0]["/Resources"]["/Font"].values()
    }

    assert {re.sub(r"^/[A-Z]{6}\+", "/", name) for name in fonts} == {
        "/DejaVuSans",
        "/DejaVuSans-Bold",
    }
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts)  # subsets


def test_dehint_keeps_outlines_and_metrics():
    raw = (FONT_DIR / "DejaVuSans.ttf").read_bytes()
    original, stripped = TTFontFile(BytesIO(raw)), TTFontFile(BytesIO(dehint(raw)))

    assert len(stripped.glyphPos) == len(original.glyphPos)
    assert stripped.charWidths == original.charWidths
    assert not {b"fpgm", b"prep", b"cvt "} & {t.encode() for t in stripped.table}
    assert len(dehint(raw)) < len(raw)


def test_content_is_frozen_and_takes_signatories_as_any_sequence():
    certificate = content(signatories=[Signatory("А", "Б")])

    assert certificate.signatories == (Signatory("А", "Б"),)
    assert hash(certificate) == hash(content(signatories=[Signatory("А", "Б")]))
    with pytest.raises(FrozenInstanceError):
        certificate.hours = 36
    assert replace(certificate, hours=36).hours == 36
