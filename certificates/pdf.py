"""The certificate PDF: one A4 page (portrait or landscape) drawn with reportlab.

Pure: no database, no settings, no files other than the bundled DejaVu fonts. The services build
a `CertificateContent` from the models and call `CertificateRenderer().render(content)`, which
returns the PDF bytes.

The certificate is a Russian document, so the words printed on it (the intro, the labels, month
names, the plural of «час») are plain Russian literals here, not translated strings: a
certificate reads the same whichever language the person who triggers its issue uses.

Text from people (the holder's name, the subject, the body template, the organisation line, the
signatories, the heading) never reaches reportlab's Paragraph markup unescaped: `escape` turns
«<», «>» and «&» into entities, so a name like «<b>Иван</b> & Ко» is printed as typed.

Layout, top to bottom: the logo (top-left) and the organisation line; the heading; the
statement (intro, the holder's name large, the body, the subject, hours and dates), centred in
the space left; at the bottom the signatories in columns with the date of issue below them, and
the QR code bottom-right with the short verification address and the serial under it. The name
and the subject shrink from their largest size to their smallest to stay on one line
(`CertificateRenderer.fit_font_size`), and wrap once even the smallest is too wide. Should the
statement still be taller than the space (a very long name *and* subject on a landscape page),
all of its sizes and gaps are scaled down in steps until it fits: the result is always one page.

`floor_pdf` draws the same lines as plainly as reportlab allows: it is the floor `make bench`
measures the renderer against (bench/pdf.py).
"""

import logging
import math
import re
import struct
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from PIL import Image as PILImage
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

DEFAULT_HEADING = "СЕРТИФИКАТ"
DEFAULT_BODY = "успешно прошёл(-ла) обучение по программе"
INTRO = "настоящим подтверждается, что"
NBSP = "\u00a0"

# --- fonts ----------------------------------------------------------------------------------

_fonts_lock = threading.Lock()
_fonts_ready = False
_HINTING_TABLES = (b"fpgm", b"prep", b"cvt ", b"hdmx", b"LTSH", b"VDMX")


def register_fonts():
    """Register the DejaVu fonts with reportlab once per process (later calls return at once).

    The fonts are registered without their TrueType hinting (`dehint`): reportlab embeds a
    subset of every font a PDF uses, and DejaVu's hinting instructions are about half of each
    glyph's bytes — a certificate is some 18 KB smaller without them. PDF viewers and printers
    rasterise the outlines without the hints anyway."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
            if name not in registered:
                path = FONT_DIR / file
                data = BytesIO(dehint(path.read_bytes()))
                data.name = str(path)  # reportlab names the font file after it
                pdfmetrics.registerFont(TTFont(name, data))
        # <b> inside a Paragraph in the regular face switches to the bold one.
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )
        _fonts_ready = True


def _glyph_without_instructions(data: bytes) -> bytes:
    """One glyf entry without its instructions (TrueType spec, «glyf» table)."""
    if len(data) < 10:
        return data  # an empty glyph (the space)
    contours = struct.unpack(">h", data[:2])[0]
    if contours >= 0:  # simple: endPtsOfContours, then instructionLength and instructions
        at = 10 + 2 * contours
        length = struct.unpack(">H", data[at : at + 2])[0]
        return data[:at] + b"\0\0" + data[at + 2 + length :]
    out = bytearray(data)  # composite: components, then instructions if a flag says so
    at = 10
    while True:
        flags = struct.unpack(">H", out[at : at + 2])[0]
        struct.pack_into(">H", out, at, flags & ~0x0100)  # WE_HAVE_INSTRUCTIONS
        at += 4 + (4 if flags & 0x0001 else 2)  # flags, glyph index, ARG_1_AND_2_ARE_WORDS
        if flags & 0x0008:  # WE_HAVE_A_SCALE
            at += 2
        elif flags & 0x0040:  # WE_HAVE_AN_X_AND_Y_SCALE
            at += 4
        elif flags & 0x0080:  # WE_HAVE_A_TWO_BY_TWO
            at += 8
        if not flags & 0x0020:  # MORE_COMPONENTS
            return bytes(out[:at])


def dehint(font: bytes) -> bytes:
    """A TrueType font without hinting: every glyph's instructions and the fpgm, prep, cvt,
    hdmx, LTSH and VDMX tables removed; outlines, metrics, cmap and names untouched."""
    count = struct.unpack(">H", font[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sLLL", font[12 + 16 * i : 28 + 16 * i])
        tables[tag] = font[offset : offset + length]
    head = bytearray(tables[b"head"])
    glyphs = struct.unpack(">H", tables[b"maxp"][4:6])[0]
    if struct.unpack(">h", head[50:52])[0]:
        loca = struct.unpack(f">{glyphs + 1}L", tables[b"loca"][: 4 * (glyphs + 1)])
    else:
        short = struct.unpack(f">{glyphs + 1}H", tables[b"loca"][: 2 * (glyphs + 1)])
        loca = [2 * offset for offset in short]
    glyf, offsets, position = [], [], 0
    for i in range(glyphs):
        data = _glyph_without_instructions(tables[b"glyf"][loca[i] : loca[i + 1]])
        data += b"\0" * (-len(data) % 4)
        offsets.append(position)
        glyf.append(data)
        position += len(data)
    offsets.append(position)
    tables[b"glyf"] = b"".join(glyf)
    tables[b"loca"] = struct.pack(f">{glyphs + 1}L", *offsets)
    struct.pack_into(">h", head, 50, 1)  # indexToLocFormat: long offsets
    struct.pack_into(">L", head, 8, 0)  # checkSumAdjustment: no longer valid
    tables[b"head"] = bytes(head)
    maxp = bytearray(tables[b"maxp"])
    if len(maxp) >= 28:
        struct.pack_into(">H", maxp, 26, 0)  # maxSizeOfInstructions
    tables[b"maxp"] = bytes(maxp)
    for tag in _HINTING_TABLES:
        tables.pop(tag, None)

    tags = sorted(tables)
    power = 1 << (len(tags).bit_length() - 1)
    header = font[:4] + struct.pack(
        ">HHHH", len(tags), 16 * power, power.bit_length() - 1, 16 * (len(tags) - power)
    )
    offset = 12 + 16 * len(tags)
    records, bodies = [], []
    for tag in tags:
        data = tables[tag]
        padded = data + b"\0" * (-len(data) % 4)
        checksum = sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF
        records.append(struct.pack(">4sLLL", tag, checksum, offset, len(data)))
        bodies.append(padded)
        offset += len(padded)
    return header + b"".join(records) + b"".join(bodies)


# --- Russian wording ------------------------------------------------------------------------

MONTHS_GENITIVE = (
    "",
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
)


def russian_date(day: date) -> str:
    """«12 марта 2027 г.», whatever the active locale."""
    return f"{day.day} {MONTHS_GENITIVE[day.month]} {day.year} г."


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for the count n: 1, 21, 101 → one; 2–4, 22–24 → few; 0, 5–20, 25 → many
    (11–14 are always many)."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def hours_phrase(hours: int) -> str:
    """«1 академический час», «72 академических часа», «36 академических часов»."""
    words = plural_ru(hours, "академический час", "академических часа", "академических часов")
    return f"{hours} {words}"


def date_range(date_from: date, date_to: date) -> str:
    """«с 2 марта 2026 г. по 20 марта 2026 г.», or one date for a one-day event."""
    if date_from == date_to:
        return russian_date(date_from)
    return f"с {russian_date(date_from)} по {russian_date(date_to)}"


def _clean(text: str) -> str:
    """One line of text: runs of whitespace (newlines too) become one space."""
    return " ".join(str(text or "").split())


def _keep_together(text: str) -> str:
    """Spaces inside a date or an hours phrase become non-breaking: «2026 г.» never splits."""
    return text.replace(" ", NBSP)


# --- the content ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    name: str
    position: str
    signature: bytes | None = None  # PNG or JPEG; transparent PNGs keep their transparency


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate, as plain data (the services fill it in).

    `body` is written by an admin: the sentence between the holder's name and the subject.
    `{holder}`, `{subject}`, `{hours}` («72 академических часа»), `{date_from}` and `{date_to}`
    («12 марта 2027 г.») are filled in (`{{holder}}` and `{ holder }` too); any other brace is
    printed as typed. An empty body leaves the sentence out. `hours` of 0 leaves the hours out.
    """

    serial: str
    holder_name: str
    subject: str
    hours: int
    date_from: date
    date_to: date
    issued_on: date
    verify_url: str
    heading: str = DEFAULT_HEADING
    body: str = DEFAULT_BODY
    organisation_line: str = ""
    landscape: bool = False
    logo: bytes | None = None
    background: bytes | None = None
    signatories: tuple[Signatory, ...] = field(default_factory=tuple)

    def __post_init__(self):
        object.__setattr__(self, "signatories", tuple(self.signatories))
        if len(self.signatories) > 3:
            raise ValueError("a certificate has at most 3 signatories")


_PLACEHOLDER_NAMES = "holder|subject|hours|date_from|date_to"
_PLACEHOLDER = re.compile(
    rf"\{{\{{\s*({_PLACEHOLDER_NAMES})\s*\}}\}}|\{{\s*({_PLACEHOLDER_NAMES})\s*\}}"
)


def _placeholder_values(content: CertificateContent) -> dict[str, str]:
    return {
        "holder": _clean(content.holder_name),
        "subject": _clean(content.subject),
        "hours": hours_phrase(content.hours),
        "date_from": russian_date(content.date_from),
        "date_to": russian_date(content.date_to),
    }


def fill_body(template: str, content: CertificateContent, *, markup: bool = False) -> str:
    """The body with its placeholders filled in; unknown or broken placeholders stay as typed.

    With markup=True the result is Paragraph markup: every piece (what the admin typed and every
    value) is escaped, dates and hours do not break across lines, and line breaks are kept."""
    values = _placeholder_values(content)
    parts = []
    position = 0
    template = str(template or "")
    for match in _PLACEHOLDER.finditer(template):
        parts.append((template[position : match.start()], False))
        parts.append((values[match.group(1) or match.group(2)], True))
        position = match.end()
    parts.append((template[position:], False))
    if not markup:
        return _clean("".join(text for text, _ in parts))
    out = []
    for text, is_value in parts:
        if is_value:
            out.append(_keep_together(escape(text)) if text[:1].isdigit() else escape(text))
        else:
            lines = [" ".join(line.split()) for line in text.split("\n")]
            out.append("<br/>".join(escape(line) for line in lines))
    return "".join(out).strip()


def quoted(subject: str) -> str:
    """The subject in «ёлочки» unless it is quoted already."""
    subject = _clean(subject)
    if subject[:1] in "«\"“„'":
        return subject
    return f"«{subject}»"


# --- the QR code ----------------------------------------------------------------------------


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code for `url` as rows of modules (True = dark), without the quiet zone.

    Error correction M, the smallest version that holds the address: 17 + 4 × version modules a
    side (a 45-character address is version 4, 33 × 33)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, size: float):
    """Draw `matrix` as filled squares in a size × size box whose bottom-left corner is (x, y).

    Runs of dark modules along a row become one rectangle, all in one path: a few hundred
    operators instead of a thousand, and no reportlab widget (QrCodeWidget is 3× slower)."""
    modules = len(matrix)
    cell = size / modules
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - r * cell
        c = 0
        while c < modules:
            if row[c]:
                start = c
                while c < modules and row[c]:
                    c += 1
                # a hair taller and wider than the cell: no hairline gaps between rows in viewers
                path.rect(
                    x + start * cell, top - cell - 0.05, (c - start) * cell + 0.05, cell + 0.05
                )
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def short_url(url: str) -> str:
    """The address without its scheme, as printed under the QR code."""
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE)


def break_to_width(text: str, font: str, size: float, width: float, max_lines: int = 3):
    """Break a string with no spaces (an address) into lines no wider than `width`, preferably
    after «/»; the last allowed line ends with «…» when the text does not fit."""
    lines = []
    rest = text
    while rest and len(lines) < max_lines:
        if pdfmetrics.stringWidth(rest, font, size) <= width:
            lines.append(rest)
            return lines
        cut = 1
        while cut < len(rest) and pdfmetrics.stringWidth(rest[: cut + 1], font, size) <= width:
            cut += 1
        slash = rest.rfind("/", 0, cut)
        if slash >= cut // 2:
            cut = slash + 1
        if len(lines) == max_lines - 1:
            while cut > 1 and pdfmetrics.stringWidth(rest[:cut] + "…", font, size) > width:
                cut -= 1
            lines.append(rest[:cut] + "…")
            return lines
        lines.append(rest[:cut])
        rest = rest[cut:]
    return lines


# --- the renderer ---------------------------------------------------------------------------

NAVY = HexColor("#1F3A5F")
GOLD = HexColor("#B08D57")
INK = HexColor("#1E1E1E")
GREY = HexColor("#5A5A5A")


@dataclass
class _Block:
    """A piece of the statement: a Paragraph already wrapped to `width`, its height, the font
    size it ended at and the gap to leave above it."""

    paragraph: Paragraph
    height: float
    size: float
    gap_before: float


class CertificateRenderer:
    """Renders a `CertificateContent` to PDF bytes. Stateless: one instance may serve every
    thread; subclass and change the class attributes for another geometry."""

    PORTRAIT = A4
    LANDSCAPE = landscape(A4)
    MARGIN = 50  # text keeps this far from the page edge
    BORDER_OUTER = 18  # the double frame (drawn unless there is a background image)
    BORDER_INNER = 24

    LOGO_BOX = 64  # the logo fits a square this size at the top-left
    ORG_SIZE = 11
    HEADING_MAX, HEADING_MIN = 40, 20
    HEADING_SPACING = 4  # letter spacing of a one-line heading
    INTRO_SIZE = 14
    NAME_MAX, NAME_MIN = 30, 18
    BODY_SIZE = 13
    SUBJECT_MAX, SUBJECT_MIN = 20, 14
    FACTS_SIZE = 12
    LEADING = 1.22  # line height as a multiple of the font size

    QR_SIZE = 84
    QR_COLUMN = 124  # the QR code, the address and the serial sit centred in this column
    URL_SIZE = 7
    SERIAL_SIZE = 8.5
    SIGNATURE_HEIGHT = 36
    SIGNATORY_WIDTH = 190  # widest column; narrower when three do not fit
    SIGNATORY_NAME_SIZE = 10
    SIGNATORY_POSITION_SIZE = 8.5
    ISSUED_SIZE = 9
    IMAGE_DPI = 300  # larger logos and signatures are scaled down to this
    BACKGROUND_DPI = 150

    # the statement's gaps (points, before each block) at scale 1
    GAP_NAME = 10
    GAP_BODY = 14
    GAP_SUBJECT = 6
    GAP_FACTS = 14
    GAP_FACT = 3
    SCALES = (1, 0.92, 0.85, 0.78, 0.7, 0.62, 0.55, 0.5)
    HEADING_GAP = 16  # at least this between the heading's rule and the statement
    FOOTER_GAP = 16  # at least this between the statement and the signatories or the QR code
    MAX_GAP_STRETCH = 1.6  # the statement's gaps grow up to this much when there is room
    FREE_SPLIT = (0.2, 0.4, 0.4)  # the room left: above the heading, below it, below the text

    def __init__(self):
        register_fonts()

    # -- measuring ---------------------------------------------------------------------------

    @staticmethod
    def fit_font_size(
        text: str, font: str, max_size: float, min_size: float, width: float
    ) -> float:
        """The largest size in [min_size, max_size] (in half points) at which `text` fits on one
        line `width` wide; min_size when even that is too wide (the text then wraps).

        A string's width grows in proportion to the font size, so the size is computed rather
        than searched for."""
        register_fonts()
        text = _clean(text)
        at_one = pdfmetrics.stringWidth(text, font, 1)
        if at_one <= 0:
            return max_size
        size = math.floor(2 * (width - 0.5) / at_one) / 2
        return max(min_size, min(max_size, size))

    def page_size(self, content: CertificateContent) -> tuple[float, float]:
        return self.LANDSCAPE if content.landscape else self.PORTRAIT

    def _style(self, name, font, size, color=INK, alignment=TA_CENTER) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=round(size * self.LEADING, 2),
            textColor=color,
            alignment=alignment,
        )

    def _block(self, markup, style, width, gap) -> _Block:
        paragraph = Paragraph(markup, style)
        _, height = paragraph.wrap(width, 10_000)
        return _Block(paragraph, height, style.fontSize, gap)

    def _fitted(self, name, text, font, max_size, min_size, width, color, gap) -> _Block:
        size = self.fit_font_size(text, font, max_size, min_size, width)
        return self._block(escape(_clean(text)), self._style(name, font, size, color), width, gap)

    def statement(self, content: CertificateContent, width: float, scale: float = 1):
        """The statement's blocks at `scale` (1 = the sizes above), top to bottom."""
        blocks = [
            self._block(
                escape(INTRO), self._style("intro", FONT, self.INTRO_SIZE * scale, GREY), width, 0
            ),
            self._fitted(
                "name",
                content.holder_name,
                FONT_BOLD,
                self.NAME_MAX * scale,
                self.NAME_MIN * scale,
                width,
                INK,
                self.GAP_NAME * scale,
            ),
        ]
        body = fill_body(content.body, content, markup=True)
        if body:
            style = self._style("body", FONT, self.BODY_SIZE * scale)
            blocks.append(self._block(body, style, width, self.GAP_BODY * scale))
        if _clean(content.subject):
            blocks.append(
                self._fitted(
                    "subject",
                    quoted(content.subject),
                    FONT_BOLD,
                    self.SUBJECT_MAX * scale,
                    self.SUBJECT_MIN * scale,
                    width,
                    NAVY,
                    (self.GAP_SUBJECT if body else self.GAP_BODY) * scale,
                )
            )
        facts_style = self._style("facts", FONT, self.FACTS_SIZE * scale)
        gap = self.GAP_FACTS * scale
        if content.hours > 0:
            line = f"Объём программы: {_keep_together(hours_phrase(content.hours))}"
            blocks.append(self._block(escape(line), facts_style, width, gap))
            gap = self.GAP_FACT * scale
        dates = _keep_together(date_range(content.date_from, content.date_to))
        line = f"Сроки проведения: {dates}".replace(f"{NBSP}по{NBSP}", " по ")
        blocks.append(self._block(escape(line), facts_style, width, gap))
        return blocks

    # -- drawing -----------------------------------------------------------------------------

    def render(self, content: CertificateContent) -> bytes:
        """The certificate as PDF bytes: one page, fonts subset, content streams compressed."""
        register_fonts()
        width, height = self.page_size(content)
        buffer = BytesIO()
        canvas = _canvas(buffer, (width, height), content)

        if content.background:
            self._draw_background(canvas, content.background, width, height)
        else:
            self._draw_frame(canvas, width, height)

        inner = width - 2 * self.MARGIN
        top = self._draw_top(canvas, content, height - self.MARGIN, inner)
        footer_top, draw_footer = self._footer(content, width)
        bottom = footer_top + self.FOOTER_GAP
        heading_height, draw_heading = self._heading(content, inner)
        available = top - bottom - heading_height
        blocks, total = self._fit_statement(content, inner, available)
        # What is left over: the statement's gaps grow a little, then the rest goes above the
        # heading, between it and the statement, and below the statement.
        free = max(0.0, available - total)
        gaps = sum(block.gap_before for block in blocks)
        stretch = min(self.MAX_GAP_STRETCH - 1, 0.4 * free / gaps) if gaps else 0
        free -= stretch * gaps
        above, between, _ = self.FREE_SPLIT
        y = top - free * above
        draw_heading(canvas, y)
        y -= heading_height + free * between
        for block in blocks:
            y -= block.gap_before * (1 + stretch) + block.height
            block.paragraph.drawOn(canvas, self.MARGIN, y)
        draw_footer(canvas)

        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    def _fit_statement(self, content, width, available):
        """The statement at the largest scale (of SCALES) at which it fits `available`."""
        for scale in self.SCALES:
            blocks = self.statement(content, width, scale)
            total = sum(block.height + block.gap_before for block in blocks)
            if total <= available:
                break
        return blocks, total

    def _heading(self, content, inner):
        """The heading's height (with the rule under it) and a function drawing it from a top y:
        letter-spaced on one line when it fits, else shrunk and wrapped."""
        text = _clean(content.heading)
        if not text:
            return 0, lambda canvas, top: None
        center = self.MARGIN + inner / 2
        spacing = self.HEADING_SPACING
        spaced = inner - spacing * (len(text) - 1)
        size = self.fit_font_size(text, FONT_BOLD, self.HEADING_MAX, self.HEADING_MIN, spaced)
        if pdfmetrics.stringWidth(text, FONT_BOLD, size) <= spaced:
            paragraph = None
            text_height = size * 1.2
        else:
            paragraph = Paragraph(escape(text), self._style("heading", FONT_BOLD, size, NAVY))
            _, text_height = paragraph.wrap(inner, 10_000)
        rule = min(140, inner / 3)

        def draw(canvas, top):
            if paragraph is None:
                canvas.saveState()
                canvas.setFillColor(NAVY)
                canvas.setFont(FONT_BOLD, size)
                # drawCentredString counts the spacing after the last letter too: shift it back
                canvas.drawCentredString(
                    center + spacing / 2, top - size * 0.93, text, charSpace=spacing
                )
                canvas.restoreState()
            else:
                paragraph.drawOn(canvas, self.MARGIN, top - text_height)
            canvas.saveState()
            canvas.setStrokeColor(GOLD)
            canvas.setLineWidth(1)
            y = top - text_height - 10
            canvas.line(center - rule / 2, y, center + rule / 2, y)
            canvas.restoreState()

        return text_height + 10 + self.HEADING_GAP, draw

    def _draw_background(self, canvas, data, width, height):
        """The background covers the page (scaled to fill it, centred, the excess off-page)."""
        image = _image(data, width, height, self.BACKGROUND_DPI)
        if image is None:
            self._draw_frame(canvas, width, height)
            return
        iw, ih = image.getSize()
        scale = max(width / iw, height / ih)
        w, h = iw * scale, ih * scale
        canvas.drawImage(image, (width - w) / 2, (height - h) / 2, w, h, mask="auto")

    def _draw_frame(self, canvas, width, height):
        canvas.saveState()
        canvas.setStrokeColor(GOLD)
        canvas.setLineWidth(2.2)
        o = self.BORDER_OUTER
        canvas.rect(o, o, width - 2 * o, height - 2 * o, stroke=1, fill=0)
        canvas.setLineWidth(0.7)
        i = self.BORDER_INNER
        canvas.rect(i, i, width - 2 * i, height - 2 * i, stroke=1, fill=0)
        canvas.restoreState()

    def _draw_top(self, canvas, content, top, inner) -> float:
        """Logo top-left, the organisation line centred; returns the y below them."""
        bottom = top
        reserve = 0
        if content.logo:
            image = _image(content.logo, self.LOGO_BOX, self.LOGO_BOX, self.IMAGE_DPI)
            if image is not None:
                box = self.LOGO_BOX
                iw, ih = image.getSize()
                scale = min(box / iw, box / ih)
                w, h = iw * scale, ih * scale
                canvas.drawImage(image, self.MARGIN, top - h, w, h, mask="auto")
                bottom = min(bottom, top - h)
                reserve = box + 12
        line = _clean(content.organisation_line)
        if line:
            width = inner - 2 * reserve
            style = self._style("organisation", FONT, self.ORG_SIZE, GREY)
            paragraph = Paragraph(escape(line), style)
            _, h = paragraph.wrap(width, 10_000)
            paragraph.drawOn(canvas, self.MARGIN + reserve, top - h)
            bottom = min(bottom, top - h)
        return bottom - (18 if bottom < top else 6)

    def _footer(self, content, width):
        """The footer's top y and a function drawing it, in reading order: the signatories, the
        date of issue under them, and bottom-right the QR code, a caption, the short address and
        the serial."""
        right = width - self.MARGIN
        column_left = right - self.QR_COLUMN
        center = column_left + self.QR_COLUMN / 2
        url_lines = break_to_width(
            short_url(content.verify_url), FONT, self.URL_SIZE, self.QR_COLUMN
        )
        serial_y = self.MARGIN
        url_y = serial_y + self.SERIAL_SIZE + 4  # the lowest address line
        caption_y = url_y + len(url_lines) * (self.URL_SIZE + 1.5)
        qr_y = caption_y + self.URL_SIZE + 4
        qr_top = qr_y + self.QR_SIZE
        matrix = qr_matrix(content.verify_url)
        signatories_top, draw_signatories = self._signatories(
            content.signatories, self.MARGIN + self.ISSUED_SIZE + 18, column_left - 16
        )

        def draw(canvas):
            draw_signatories(canvas)
            canvas.saveState()
            canvas.setFillColor(GREY)
            canvas.setFont(FONT, self.ISSUED_SIZE)
            issued = f"Дата выдачи: {russian_date(content.issued_on)}"
            canvas.drawString(self.MARGIN, self.MARGIN, issued)
            canvas.restoreState()

            draw_qr(canvas, matrix, center - self.QR_SIZE / 2, qr_y, self.QR_SIZE)
            canvas.saveState()
            canvas.setFillColor(GREY)
            canvas.setFont(FONT, self.URL_SIZE)
            canvas.drawCentredString(center, caption_y, "Проверка подлинности:")
            for i, line in enumerate(url_lines):
                y = url_y + (len(url_lines) - 1 - i) * (self.URL_SIZE + 1.5)
                canvas.drawCentredString(center, y, line)
            canvas.setFillColor(INK)
            canvas.setFont(FONT_BOLD, self.SERIAL_SIZE)
            canvas.drawCentredString(center, serial_y, f"№ {_clean(content.serial)}")
            canvas.restoreState()
            # the QR code and the address are a link to the verification page
            area = (column_left, self.MARGIN - 3, right, qr_top)
            canvas.linkURL(content.verify_url, area, relative=0)

        return max(qr_top, signatories_top), draw

    def _signatories(self, signatories, bottom, right):
        """The signatories' top y and a function drawing them: columns from the left margin,
        each a signature (if any) standing on a line, the name and the position under it."""
        if not signatories:
            return bottom, lambda canvas: None
        gap = 18
        count = len(signatories)
        column = min(self.SIGNATORY_WIDTH, (right - self.MARGIN - gap * (count - 1)) / count)
        name_style = self._style(
            "signatory", FONT_BOLD, self.SIGNATORY_NAME_SIZE, INK, alignment=TA_LEFT
        )
        position_style = self._style(
            "position", FONT, self.SIGNATORY_POSITION_SIZE, GREY, alignment=TA_LEFT
        )
        laid_out = []
        tallest = 0
        for signatory in signatories:
            name = Paragraph(escape(_clean(signatory.name)), name_style)
            _, name_height = name.wrap(column, 10_000)
            position = None
            position_height = 0
            if _clean(signatory.position):
                position = Paragraph(escape(_clean(signatory.position)), position_style)
                _, position_height = position.wrap(column, 10_000)
            image = None
            if signatory.signature:
                box = (column - 20, self.SIGNATURE_HEIGHT)
                image = _image(signatory.signature, *box, self.IMAGE_DPI)
            laid_out.append((image, name, name_height, position, position_height))
            tallest = max(tallest, name_height + 2 + position_height)
        line_y = bottom + tallest + 4  # every signature line at the same height

        def draw(canvas):
            for i, (image, name, name_height, position, position_height) in enumerate(laid_out):
                x = self.MARGIN + i * (column + gap)
                if image is not None:
                    iw, ih = image.getSize()
                    scale = min(self.SIGNATURE_HEIGHT / ih, (column - 20) / iw)
                    # the signature's foot dips just below the line, as ink does
                    canvas.drawImage(image, x + 6, line_y - 4, iw * scale, ih * scale, mask="auto")
                canvas.saveState()
                canvas.setStrokeColor(INK)
                canvas.setLineWidth(0.6)
                canvas.line(x, line_y, x + column - 10, line_y)
                canvas.restoreState()
                name.drawOn(canvas, x, line_y - 4 - name_height)
                if position is not None:
                    position.drawOn(canvas, x, line_y - 6 - name_height - position_height)

        return line_y + self.SIGNATURE_HEIGHT - 4, draw


def _canvas(buffer, pagesize, content: CertificateContent) -> Canvas:
    """A canvas with the certificate's metadata and compressed content streams."""
    canvas = Canvas(buffer, pagesize=pagesize, initialFontName=FONT, initialFontSize=12)
    canvas.setPageCompression(1)
    canvas.setTitle(f"{_clean(content.heading) or DEFAULT_HEADING} {_clean(content.serial)}")
    canvas.setAuthor(_clean(content.organisation_line))
    canvas.setSubject(_clean(content.subject))
    canvas.setCreator("opeka-lms certificates")
    return canvas


class _SharedImage(ImageReader):
    """An ImageReader that renders and threads may share: the pixels are decoded once, when it
    is made, and JPEG bytes are handed to reportlab in a fresh file each time (ImageReader's own
    file would be read from two threads at once)."""

    def __init__(self, image: PILImage.Image, jpeg: bytes | None):
        super().__init__(image)
        self._jpeg = jpeg
        self.getRGBData()  # decodes, and splits off the alpha channel into self._dataA
        if self._dataA is not None:
            self._dataA.getRGBData()

    def jpeg_fh(self):
        return BytesIO(self._jpeg) if self._jpeg else None


@lru_cache(maxsize=16)
def _shared_image(data: bytes, max_pixels: int) -> _SharedImage | None:
    """The image in `data` (PNG, JPEG, anything Pillow reads) ready for drawImage, no larger
    than `max_pixels` on its longer side; None (and a warning) when it is not an image — a
    broken logo must not stop a certificate from being issued.

    Cached: a programme's logo and signatures are the same bytes on every certificate, and
    decoding them is most of what drawing them costs. Oversized uploads are scaled down to
    what the page can show (IMAGE_DPI), which keeps the PDF small."""
    try:
        with PILImage.open(BytesIO(data)) as opened:
            opened.load()
            image, kind = opened, opened.format
    except Exception:  # Pillow raises many kinds of errors for a bad file
        logger.warning("certificate: an image could not be read, left out", exc_info=True)
        return None
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        image = image.convert("RGBA")
        if image.getextrema()[3] == (255, 255):  # an alpha channel that hides nothing
            image = image.convert("RGB")
    elif image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    jpeg = data if kind == "JPEG" and image.mode in ("L", "RGB") else None
    if max(image.size) > max_pixels:
        image.thumbnail((max_pixels, max_pixels), PILImage.Resampling.LANCZOS)
        if jpeg is not None:
            out = BytesIO()
            image.save(out, "JPEG", quality=90)
            jpeg = out.getvalue()
    return _SharedImage(image, jpeg)


def _image(data: bytes, width: float, height: float, dpi: int) -> _SharedImage | None:
    """The shared image for a box `width` × `height` points at `dpi`."""
    return _shared_image(bytes(data), max(1, round(max(width, height) * dpi / 72)))


# --- the floor ------------------------------------------------------------------------------


def floor_pdf(content: CertificateContent) -> bytes:
    """The floor for `make bench` (bench/pdf.py): the certificate's lines in the same fonts and
    the same hand-drawn QR code, drawn with canvas.drawString only — no Paragraph, no images,
    no frame, no fitting; the same metadata and compression. What a PDF with this text cannot
    take less time than; the renderer is judged by how far above it it is."""
    register_fonts()
    width, height = (
        CertificateRenderer.LANDSCAPE if content.landscape else CertificateRenderer.PORTRAIT
    )
    r = CertificateRenderer
    buffer = BytesIO()
    canvas = _canvas(buffer, (width, height), content)
    center = width / 2
    lines = [
        (FONT, r.ORG_SIZE, _clean(content.organisation_line)),
        (FONT_BOLD, r.HEADING_MAX, _clean(content.heading)),
        (FONT, r.INTRO_SIZE, INTRO),
        (FONT_BOLD, r.NAME_MAX, _clean(content.holder_name)),
        (FONT, r.BODY_SIZE, fill_body(content.body, content)),
        (FONT_BOLD, r.SUBJECT_MAX, quoted(content.subject)),
        (FONT, r.FACTS_SIZE, f"Объём программы: {hours_phrase(content.hours)}"),
        (FONT, r.FACTS_SIZE, f"Сроки проведения: {date_range(content.date_from, content.date_to)}"),
    ]
    y = height - r.MARGIN
    for font, size, text in lines:
        y -= size * r.LEADING + 8
        canvas.setFont(font, size)
        canvas.drawCentredString(center, y, text)
    x = r.MARGIN
    for signatory in content.signatories:
        canvas.setFont(FONT_BOLD, r.SIGNATORY_NAME_SIZE)
        canvas.drawString(x, r.MARGIN + 40, _clean(signatory.name))
        canvas.setFont(FONT, r.SIGNATORY_POSITION_SIZE)
        canvas.drawString(x, r.MARGIN + 28, _clean(signatory.position))
        x += r.SIGNATORY_WIDTH
    canvas.setFont(FONT, r.ISSUED_SIZE)
    canvas.drawString(r.MARGIN, r.MARGIN, f"Дата выдачи: {russian_date(content.issued_on)}")
    right = width - r.MARGIN
    canvas.setFont(FONT_BOLD, r.SERIAL_SIZE)
    canvas.drawRightString(right, r.MARGIN, f"№ {_clean(content.serial)}")
    canvas.setFont(FONT, r.URL_SIZE)
    canvas.drawRightString(right, r.MARGIN + 12, short_url(content.verify_url))
    draw_qr(canvas, qr_matrix(content.verify_url), right - r.QR_SIZE, r.MARGIN + 24, r.QR_SIZE)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
