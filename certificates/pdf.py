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
statement (intro, the holder's name large, the body, the subject, hours and dates) in the space
left; at the bottom the signatories in columns with the date of issue below them, and the QR
code bottom-right with the short verification address and the serial under it. The name and the
subject shrink from their largest size to their smallest to stay on one line
(`CertificateRenderer.fit_font_size`), and wrap once even the smallest is too wide. Should the
statement still be taller than the space (a very long name *and* subject on a landscape page),
all of its sizes and gaps are scaled down in steps until it fits: the result is always one page.
Text that fits on one line is drawn with drawString; Paragraph only where text wraps.

Size and speed (a typical certificate is about 42 KB and 1.1–1.2× the floor's time, see
docs/benchmarks.md): the fonts are embedded as subsets without their hinting (`dehint`);
pictures are decoded, scaled down to the resolution the page can show and deflated once per
process (`prepare_image`), then placed in each PDF by `_Canvas.draw_prepared`; streams are
binary, not ASCII85 (`register_fonts` sets reportlab's process-wide `useA85` off).

`floor_pdf` draws the same lines as plainly as reportlab allows: it is the floor `make bench`
measures the renderer against (bench/pdf.py).
"""

import hashlib
import logging
import math
import re
import struct
import threading
import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from django.utils import translation
from django.utils.translation import ngettext
from PIL import Image as PILImage
from PIL import ImageOps
from qrcode.constants import ERROR_CORRECT_M
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from lms.names import Gender, in_gender

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
        # Binary streams rather than ASCII85 text: a quarter smaller, and without reportlab's
        # optional C accelerator (rl_accel, not installed) encoding an image in ASCII85 takes
        # longer than drawing it. Every PDF reader handles binary streams. This is reportlab's
        # process-wide setting; the certificates are the only PDFs the platform makes.
        rl_config.useA85 = 0
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


def hours_phrase(hours: int) -> str:
    """«1 академический час», «72 академических часа», «36 академических часов»: the same
    catalogue entry and Russian plural rule (locale/ru) as every page that counts hours."""
    with translation.override("ru"):
        return ngettext("%(hours)s академический час", "%(hours)s академических часов", hours) % {
            "hours": hours
        }


def date_range(date_from: date, date_to: date) -> str:
    """«с 2 марта 2026 г. по 20 марта 2026 г.», or one date for a one-day event."""
    if date_from == date_to:
        return russian_date(date_from)
    return f"с {russian_date(date_from)} по {russian_date(date_to)}"


_WHITESPACE = re.compile(r"[^\S\u00a0]+")  # any whitespace but the non-breaking space


def _clean(text: str) -> str:
    """One line of text: runs of whitespace (newlines too) become one space."""
    return _WHITESPACE.sub(" ", str(text or "")).strip(" ")


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

    `body` is written by an admin. If it names the holder (`{holder}`) it is the whole
    statement, line by line; otherwise it goes between the name and the subject of the standard
    statement (`statement_lines`). `{holder}`, `{subject}`, `{hours}` («72 академических
    часа»), `{date_from}` and `{date_to}` («12 марта 2027 г.») are filled in (`{{holder}}` and
    `{ holder }` too); any other brace is printed as typed. In the standard statement an empty
    body is left out, and `hours` of 0 leaves the hours out.
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
    holder_gender: str = Gender.NEUTRAL  # «прошёл(а)» in the body becomes «прошла» or «прошёл»

    def __post_init__(self):
        object.__setattr__(self, "signatories", tuple(self.signatories))
        if len(self.signatories) > 3:
            raise ValueError("a certificate has at most 3 signatories")


_PLACEHOLDER_NAMES = "holder|subject|hours|date_from|date_to"
_PLACEHOLDER = re.compile(
    rf"\{{\{{\s*({_PLACEHOLDER_NAMES})\s*\}}\}}|\{{\s*({_PLACEHOLDER_NAMES})\s*\}}"
)
_ALONE = re.compile(rf"[«\"“„']?\s*(?:{_PLACEHOLDER.pattern})\s*[»\"”“']?")


def _placeholder_values(content: CertificateContent) -> dict[str, str]:
    """What each placeholder becomes; dates and hours with non-breaking spaces."""
    return {
        "holder": _clean(content.holder_name),
        "subject": _clean(content.subject),
        "hours": _keep_together(hours_phrase(content.hours)),
        "date_from": _keep_together(russian_date(content.date_from)),
        "date_to": _keep_together(russian_date(content.date_to)),
    }


def fill_body(template: str, content: CertificateContent) -> str:
    """`template` with its placeholders filled in, on one line; unknown or broken placeholders
    stay as typed. Dates and hours get non-breaking spaces, so a wrapped line never splits
    «2027 г.»."""
    values = _placeholder_values(content)
    worded = in_gender(str(template), content.holder_gender)  # the admin's words, not the values
    return _clean(_PLACEHOLDER.sub(lambda match: values[match.group(1) or match.group(2)], worded))


def _only_placeholder(line: str) -> str | None:
    """The placeholder a line consists of (quotes around it allowed), else None."""
    match = _ALONE.fullmatch(line.strip())
    return (match.group(1) or match.group(2)) if match else None


def statement_lines(content: CertificateContent) -> list[tuple[str, str]]:
    """The statement as (kind, plain text) lines, top to bottom; kind is intro, name, body,
    subject, fact, or gap (an empty line of the body: extra space).

    A body that names the holder (`{holder}`) is the whole statement, line by line as the admin
    typed it: a line of just `{holder}` is set as the name, a line of just `{subject}` (in
    quotes or not) as the subject, the lines above the name as the intro, the rest as body
    text. Any other body goes between the name and the subject of the standard statement:
    «настоящим подтверждается, что», the name, the body, the subject, the hours, the dates."""
    template = str(content.body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    named = any((m.group(1) or m.group(2)) == "holder" for m in _PLACEHOLDER.finditer(template))
    if named:
        lines = []
        seen_name = False
        for line in template.split("\n"):
            alone = _only_placeholder(line)
            if not line.strip():
                lines.append(("gap", ""))
            elif alone == "holder":
                lines.append(("name", _clean(content.holder_name)))
                seen_name = True
            elif alone == "subject":
                lines.append(("subject", quoted(content.subject)))
            else:
                lines.append(("body" if seen_name else "intro", fill_body(line, content)))
        return lines

    lines = [("intro", INTRO), ("name", _clean(content.holder_name))]
    lines += [("body", fill_body(line, content)) for line in template.split("\n") if line.strip()]
    if _clean(content.subject):
        lines.append(("subject", quoted(content.subject)))
    if content.hours > 0:
        lines.append(("fact", f"Объём программы: {_keep_together(hours_phrase(content.hours))}"))
    dates = _keep_together(date_range(content.date_from, content.date_to))
    lines.append(("fact", f"Сроки проведения: {dates}".replace(f"{NBSP}по{NBSP}", " по ")))
    return lines


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
    side (a 48-character address is version 4, 33 × 33)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, size: float):
    """Draw `matrix` as filled squares in a size × size box whose bottom-left corner is (x, y).

    Runs of dark modules along a row become one rectangle, all in one path: a few hundred
    operators instead of a thousand, and no reportlab widget (QrCodeWidget takes 3× as long)."""
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


# --- text blocks ----------------------------------------------------------------------------

NAVY = HexColor("#1F3A5F")
GOLD = HexColor("#B08D57")
INK = HexColor("#1E1E1E")
GREY = HexColor("#5A5A5A")


@dataclass
class TextBlock:
    """Text laid out for a width: one line drawn with drawString when it fits (most text on a
    certificate does, and that is several times cheaper), else a Paragraph wrapped to the width.
    Either way its height is a whole number of lines at `leading`."""

    text: str  # plain text, drawn as is (no markup) when it fits on one line
    font: str
    size: float
    leading: float
    width: float
    height: float
    color: Color
    align: int
    paragraph: Paragraph | None = None
    gap_before: float = 0

    def widest_line(self) -> float:
        """The width of the widest line as laid out (never more than `width`)."""
        if self.paragraph is None:
            return pdfmetrics.stringWidth(self.text, self.font, self.size)
        lines = self.paragraph.blPara.lines
        return max(self.width - _extra_space(line) for line in lines)

    def draw(self, canvas: Canvas, x: float, bottom: float):
        if self.paragraph is not None:
            self.paragraph.drawOn(canvas, x, bottom)
            return
        canvas.saveState()
        canvas.setFillColor(self.color)
        canvas.setFont(self.font, self.size)
        baseline = bottom + self.height - self.size  # where a Paragraph puts its first line
        if self.align == TA_CENTER:
            canvas.drawCentredString(x + self.width / 2, baseline, self.text)
        else:
            canvas.drawString(x, baseline, self.text)
        canvas.restoreState()


def _extra_space(line) -> float:
    """The room left on one of a wrapped Paragraph's lines (two shapes, plain and with frags)."""
    return line[0] if isinstance(line, tuple) else line.extraSpace


# --- the renderer ---------------------------------------------------------------------------


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
    SIGNATORY_GAP = 18
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
    MAX_GAP_STRETCH = 2.2  # the statement's gaps grow up to this much when there is room
    FREE_SPLIT = (0.25, 0.35, 0.4)  # the room left: above the heading, below it, below the text

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
        at_one = pdfmetrics.stringWidth(_clean(text), font, 1)
        if at_one <= 0:
            return max_size
        size = math.floor(2 * (width - 0.5) / at_one) / 2
        return max(min_size, min(max_size, size))

    def page_size(self, content: CertificateContent) -> tuple[float, float]:
        return self.LANDSCAPE if content.landscape else self.PORTRAIT

    def text_block(
        self,
        text: str,
        font: str,
        size: float,
        width: float,
        *,
        color=INK,
        align: int = TA_CENTER,
        gap: float = 0,
    ) -> TextBlock:
        """`text` (plain, whitespace collapsed) laid out `width` wide: one line if it fits, else
        a Paragraph of the escaped text."""
        text = _clean(text)
        leading = round(size * self.LEADING, 2)
        block = TextBlock(text, font, size, leading, width, leading, color, align, gap_before=gap)
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return block
        style = ParagraphStyle(
            "certificate",
            fontName=font,
            fontSize=size,
            leading=leading,
            textColor=color,
            alignment=align,
        )
        block.paragraph = Paragraph(escape(text), style)  # user text: never markup
        _, block.height = block.paragraph.wrap(width, 10_000)
        return block

    def _fitted(self, text, font, max_size, min_size, width, color, gap) -> TextBlock:
        """Shrunk to fit one line, wrapped at the smallest size if even that is too wide."""
        size = self.fit_font_size(text, font, max_size, min_size, width)
        return self.text_block(text, font, size, width, color=color, gap=gap)

    def statement(self, content: CertificateContent, width: float, scale: float = 1):
        """The statement's blocks (`statement_lines`) at `scale` (1 = the sizes above): the
        name and the subject fitted, the rest at their sizes."""
        blocks = []
        previous = None
        extra = 0.0
        for kind, text in statement_lines(content):
            if kind == "gap":
                extra += self.GAP_BODY * scale
                continue
            gap = (self._gap(previous, kind) + extra) * scale if previous else 0
            if kind == "name":
                sizes = (self.NAME_MAX * scale, self.NAME_MIN * scale)
                block = self._fitted(text, FONT_BOLD, *sizes, width, INK, gap)
            elif kind == "subject":
                sizes = (self.SUBJECT_MAX * scale, self.SUBJECT_MIN * scale)
                block = self._fitted(text, FONT_BOLD, *sizes, width, NAVY, gap)
            else:
                size, color = {
                    "intro": (self.INTRO_SIZE, GREY),
                    "body": (self.BODY_SIZE, INK),
                    "fact": (self.FACTS_SIZE, INK),
                }[kind]
                block = self.text_block(text, FONT, size * scale, width, color=color, gap=gap)
            blocks.append(block)
            previous, extra = kind, 0.0
        return blocks

    def _gap(self, previous: str, kind: str) -> float:
        """The space between two lines of the statement, by their kinds (at scale 1)."""
        if kind == "name":
            return self.GAP_NAME
        if kind == "subject":
            return self.GAP_SUBJECT if previous == "body" else self.GAP_BODY
        if previous in ("name", "subject"):
            return self.GAP_FACTS if kind == "fact" else self.GAP_BODY
        if kind == "fact" and previous != "fact":
            return self.GAP_FACTS
        return self.GAP_FACT

    def fit_statement(self, content: CertificateContent, width: float, available: float):
        """The statement at the largest scale (of SCALES) at which it is no taller than
        `available`, and its height."""
        for scale in self.SCALES:
            blocks = self.statement(content, width, scale)
            total = sum(block.height + block.gap_before for block in blocks)
            if total <= available:
                break
        return blocks, total

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
        blocks, total = self.fit_statement(content, inner, available)
        # What is left over: the statement's gaps grow a little, then the rest goes above the
        # heading, between it and the statement, and below the statement.
        free = max(0.0, available - total)
        gaps = sum(block.gap_before for block in blocks)
        stretch = min(self.MAX_GAP_STRETCH - 1, 0.5 * free / gaps) if gaps else 0
        free -= stretch * gaps
        above, between, _ = self.FREE_SPLIT
        y = top - free * above
        draw_heading(canvas, y)
        y -= heading_height + free * between
        for block in blocks:
            y -= block.gap_before * (1 + stretch) + block.height
            block.draw(canvas, self.MARGIN, y)
        draw_footer(canvas)

        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

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
        block = None
        text_height = size * 1.2
        if pdfmetrics.stringWidth(text, FONT_BOLD, size) > spaced:
            block = self.text_block(text, FONT_BOLD, size, inner, color=NAVY)
            text_height = block.height
        rule = min(140, inner / 3)

        def draw(canvas, top):
            if block is None:
                canvas.saveState()
                canvas.setFillColor(NAVY)
                canvas.setFont(FONT_BOLD, size)
                # drawCentredString counts the spacing after the last letter too: shift it back
                canvas.drawCentredString(
                    center + spacing / 2, top - size * 0.93, text, charSpace=spacing
                )
                canvas.restoreState()
            else:
                block.draw(canvas, self.MARGIN, top - text_height)
            canvas.saveState()
            canvas.setStrokeColor(GOLD)
            canvas.setLineWidth(1)
            y = top - text_height - 10
            canvas.line(center - rule / 2, y, center + rule / 2, y)
            canvas.restoreState()

        return text_height + 10 + self.HEADING_GAP, draw

    def _draw_background(self, canvas, data, width, height):
        """The background covers the page (scaled to fill it, centred, the excess off-page);
        the gold frame is left out, a background brings its own."""
        image = _image(data, width, height, self.BACKGROUND_DPI)
        if image is None:
            self._draw_frame(canvas, width, height)
            return
        iw, ih = image.getSize()
        scale = max(width / iw, height / ih)
        w, h = iw * scale, ih * scale
        canvas.draw_prepared(image, (width - w) / 2, (height - h) / 2, w, h)

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
                canvas.draw_prepared(image, self.MARGIN, top - h, w, h)
                bottom = min(bottom, top - h)
                reserve = box + 12  # both sides, so that the line stays centred on the page
        if _clean(content.organisation_line):
            width = inner - 2 * reserve
            line = content.organisation_line
            block = self.text_block(line, FONT, self.ORG_SIZE, width, color=GREY)
            block.draw(canvas, self.MARGIN + reserve, top - block.height)
            bottom = min(bottom, top - block.height)
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
        matrix = qr_matrix(content.verify_url)
        quiet = 4 * self.QR_SIZE / len(matrix)  # the light margin of 4 modules a reader needs
        qr_y = caption_y + self.URL_SIZE + quiet
        qr_top = qr_y + self.QR_SIZE
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

            qr_x = center - self.QR_SIZE / 2
            canvas.saveState()  # white under the code and its margin, on a background too
            canvas.setFillColorRGB(1, 1, 1)
            side = self.QR_SIZE + 2 * quiet
            canvas.rect(qr_x - quiet, qr_y - quiet, side, side, stroke=0, fill=1)
            canvas.restoreState()
            draw_qr(canvas, matrix, qr_x, qr_y, self.QR_SIZE)
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

        return max(qr_top + quiet, signatories_top), draw

    def _signatories(self, signatories, bottom, right):
        """The signatories' top y and a function drawing them: columns from the left margin,
        each a signature (if any) standing on a line, the name and the position under it."""
        if not signatories:
            return bottom, lambda canvas: None
        gap = self.SIGNATORY_GAP
        count = len(signatories)
        column = min(self.SIGNATORY_WIDTH, (right - self.MARGIN - gap * (count - 1)) / count)
        laid_out = []
        tallest = 0
        for signatory in signatories:
            name = self.text_block(
                signatory.name, FONT_BOLD, self.SIGNATORY_NAME_SIZE, column, align=TA_LEFT
            )
            position = None
            if _clean(signatory.position):
                position = self.text_block(
                    signatory.position,
                    FONT,
                    self.SIGNATORY_POSITION_SIZE,
                    column,
                    color=GREY,
                    align=TA_LEFT,
                )
            image = None
            if signatory.signature:
                box = (column - 20, self.SIGNATURE_HEIGHT)
                image = _image(signatory.signature, *box, self.IMAGE_DPI)
            laid_out.append((image, name, position))
            tallest = max(tallest, name.height + (2 + position.height if position else 0))
        line_y = bottom + tallest + 4  # every signature line at the same height

        def draw(canvas):
            for i, (image, name, position) in enumerate(laid_out):
                x = self.MARGIN + i * (column + gap)
                if image is not None:
                    iw, ih = image.getSize()
                    scale = min(self.SIGNATURE_HEIGHT / ih, (column - 20) / iw)
                    # the signature's foot dips just below the line, as ink does
                    canvas.draw_prepared(image, x + 6, line_y - 4, iw * scale, ih * scale)
                canvas.saveState()
                canvas.setStrokeColor(INK)
                canvas.setLineWidth(0.6)
                canvas.line(x, line_y, x + column - 10, line_y)
                canvas.restoreState()
                name.draw(canvas, x, line_y - 4 - name.height)
                if position is not None:
                    position.draw(canvas, x, line_y - 6 - name.height - position.height)

        return line_y + self.SIGNATURE_HEIGHT - 4, draw


class _Canvas(Canvas):
    """reportlab's Canvas that can also draw a `PreparedImage`."""

    def draw_prepared(self, image: "PreparedImage", x: float, y: float, w: float, h: float):
        """Draw `image` in the box (x, y, w, h), as drawImage would draw the same picture.

        drawImage takes a picture's pixels and compresses them (and hashes them for a name)
        again for every PDF; a certificate's logo and signatures are the same on every one, so
        here the compressed streams are made once per process (`prepare_image`) and only placed
        in each PDF. The registration below is drawImage's own, with the same Canvas and
        PDFDocument internals (stable since reportlab 3; tests/certificates/test_pdf.py checks
        the images come out)."""
        doc = self._doc
        self._currentPageHasImages = 1
        name = doc.getXObjectName(image.name)
        if doc.idToObject.get(name) is None:
            xobject = image.xobject()
            self._setXObjects(xobject)
            doc.Reference(xobject, name)
            doc.addForm(image.name, xobject)
            if image.alpha is not None:
                mask = image.mask_xobject()
                self._setXObjects(mask)
                xobject.smask = doc.Reference(mask, doc.getXObjectName(mask.name))
        self.saveState()
        self.translate(x, y)
        self.scale(w, h)
        self._code.append(f"/{name} Do")
        self.restoreState()
        self._formsinuse.append(image.name)


def _canvas(buffer, pagesize, content: CertificateContent) -> _Canvas:
    """A canvas with the certificate's metadata and compressed content streams."""
    canvas = _Canvas(buffer, pagesize=pagesize, initialFontName=FONT, initialFontSize=12)
    canvas.setPageCompression(1)
    canvas.setTitle(f"{_clean(content.heading) or DEFAULT_HEADING} {_clean(content.serial)}")
    canvas.setAuthor(_clean(content.organisation_line))
    canvas.setSubject(_clean(content.subject))
    canvas.setCreator("opeka-lms certificates")
    return canvas


# --- images ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedImage:
    """A picture as a PDF image stream, made once and shared by every PDF (and thread)."""

    name: str  # the XObject's name, from a digest of the stream
    width: int  # pixels
    height: int
    color_space: str  # DeviceRGB or DeviceGray
    data: bytes  # the stream: the JPEG as uploaded, or the pixels deflated
    jpeg: bool
    alpha: bytes | None  # the alpha channel deflated, if the picture is not fully opaque

    def getSize(self) -> tuple[int, int]:
        """(width, height) in pixels, as ImageReader.getSize."""
        return self.width, self.height

    def xobject(self) -> pdfdoc.PDFImageXObject:
        xobject = pdfdoc.PDFImageXObject(self.name)  # reportlab's placeholder, filled in below
        xobject.width, xobject.height = self.width, self.height
        xobject.bitsPerComponent = 8
        xobject.colorSpace = self.color_space
        xobject._filters = ("DCTDecode",) if self.jpeg else ("FlateDecode",)
        xobject.streamContent = self.data
        xobject.mask = None
        return xobject

    def mask_xobject(self) -> pdfdoc.PDFImageXObject:
        mask = pdfdoc.PDFImageXObject(self.name + "A")
        mask.width, mask.height = self.width, self.height
        mask.bitsPerComponent = 8
        mask.colorSpace = "DeviceGray"
        mask._filters = ("FlateDecode",)
        mask.streamContent = self.alpha
        mask.mask = None
        return mask


@lru_cache(maxsize=32)
def prepare_image(data: bytes, max_pixels: int) -> PreparedImage | None:
    """The picture in `data` (PNG, JPEG, anything Pillow reads) as a PDF image stream no larger
    than `max_pixels` on its longer side; None (and a warning) when it is not a picture — a
    broken logo must not stop a certificate from being issued.

    A JPEG that needs no scaling goes in as uploaded; anything else is decoded, scaled down if
    it is larger than the page can show (the renderer's IMAGE_DPI), and deflated, with its
    alpha channel as a soft mask. Cached: a programme's logo and signatures are the same bytes
    on every certificate."""
    try:
        with PILImage.open(BytesIO(data)) as opened:
            opened.load()
            image, kind = opened, opened.format
    except Exception:  # Pillow raises many kinds of errors for a bad file
        logger.warning("certificate: an image could not be read, left out", exc_info=True)
        return None
    # a JPEG goes in as uploaded if nothing needs changing (JPEGs have no alpha channel)
    as_uploaded = kind == "JPEG" and image.mode in ("L", "RGB") and max(image.size) <= max_pixels
    if image.getexif().get(0x0112, 1) != 1:  # a photo taken sideways: turn it upright
        image = ImageOps.exif_transpose(image)
        as_uploaded = False
    alpha = None
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        image = image.convert("RGBA")
        if image.getextrema()[3] != (255, 255):  # an alpha channel that hides something
            alpha = image.getchannel("A")
        image = image.convert("RGB")
    elif image.mode not in ("L", "RGB"):
        image = image.convert("RGB")  # CMYK, palette, 16-bit, 1-bit
    if max(image.size) > max_pixels:
        scale = max_pixels / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, PILImage.Resampling.LANCZOS)
        if alpha is not None:
            alpha = alpha.resize(size, PILImage.Resampling.LANCZOS)
    stream = data if as_uploaded else zlib.compress(image.tobytes())
    mask = zlib.compress(alpha.tobytes()) if alpha is not None else None
    digest = hashlib.sha256(stream + (mask or b"")).hexdigest()[:24]
    return PreparedImage(
        name=f"certificate-image-{digest}",
        width=image.width,
        height=image.height,
        color_space="DeviceGray" if image.mode == "L" else "DeviceRGB",
        data=stream,
        jpeg=as_uploaded,
        alpha=mask,
    )


def _image(data: bytes, width: float, height: float, dpi: int) -> PreparedImage | None:
    """The prepared picture for a box `width` × `height` points at `dpi`."""
    return prepare_image(bytes(data), max(1, round(max(width, height) * dpi / 72)))


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
    fonts = {
        "intro": (FONT, r.INTRO_SIZE),
        "name": (FONT_BOLD, r.NAME_MAX),
        "body": (FONT, r.BODY_SIZE),
        "subject": (FONT_BOLD, r.SUBJECT_MAX),
        "fact": (FONT, r.FACTS_SIZE),
    }
    lines = [(FONT, r.ORG_SIZE, _clean(content.organisation_line))]
    lines.append((FONT_BOLD, r.HEADING_MAX, _clean(content.heading)))
    lines += [(*fonts[kind], text) for kind, text in statement_lines(content) if kind != "gap"]
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
    canvas.drawRightString(right, r.MARGIN + 21, "Проверка подлинности:")
    draw_qr(canvas, qr_matrix(content.verify_url), right - r.QR_SIZE, r.MARGIN + 34, r.QR_SIZE)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
