"""Tables for download: the same rows as CSV (UTF-8 with BOM and «;», as Excel in Russia opens
it) or XLSX.

Every export goes through `table_response`, and it writes every string as text, never as
something a spreadsheet runs: names and titles are typed by people, and a name such as
``=HYPERLINK("http://…","x")`` must not become a live formula in the reader's Excel. In CSV a
string starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe (Excel and
LibreOffice then show it as text); in XLSX every string is a string cell, never a formula or an
error code. Numbers stay numbers; dates are given as ISO text (2026-12-03), read alike in both.

Nothing is built whole in memory and both formats stream, row by row, as the rows are read: the
first bytes leave at once, whatever the size. An XLSX is the smallest workbook Excel and
LibreOffice open (one sheet, strings written inline), its ZIP archive written as it goes with
the standard library's `zipfile` onto a stream that cannot seek (sizes follow each part).
"""

import csv
import io
import re
import zipfile
from itertools import chain
from xml.sax.saxutils import escape

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone, translation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500  # rows per chunk sent
# Characters XML 1.0 cannot hold (control characters other than tab and line breaks).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def csv_text(value):
    """A CSV cell that a spreadsheet shows as typed, whatever its first character."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object for csv.writer that hands back what it was given."""

    def write(self, text):
        return text


def _csv_stream(header, rows, language, zone):
    """The CSV's bytes, the rows read as they are sent: after the view has returned, so in the
    reader's language and time zone, which the middleware no longer holds by then."""
    with translation.override(language), timezone.override(zone):
        yield from _csv_lines(header, rows)


def _csv_lines(header, rows):
    writer = csv.writer(_Line(), delimiter=";")
    yield ("\ufeff" + writer.writerow([csv_text(v) for v in header])).encode("utf-8")
    batch = []
    for row in rows:
        batch.append(writer.writerow([csv_text(v) for v in row]))
        if len(batch) == BATCH:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


def _xlsx_cell(value) -> str:
    """One cell: a number as a number, anything else as an inline string (never a formula or
    an error code, whatever it starts with)."""
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<c><v>{value}</v></c>"
    text = NOT_XML.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


class StreamSink(io.RawIOBase):
    """A write-only stream for zipfile that keeps what it is given until ``take`` hands it on
    (to a streamed response). It cannot seek, so zipfile writes each part's sizes after the
    part, as a stream needs."""

    def __init__(self):
        self.chunks = []

    def writable(self):
        return True

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"
# Excel refuses these in a sheet's name.
NOT_IN_SHEET_NAME = re.compile(r"[\\/?*\[\]:]")


def _xlsx_stream(header, rows, sheet, language, zone):
    """The workbook's bytes, the rows read as they are sent (in the reader's language and
    zone, as for a CSV)."""
    with translation.override(language), timezone.override(zone):
        pipe = StreamSink()
        with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for name, xml in XLSX_PARTS.items():
                z.writestr(name, xml)
            name = escape(NOT_IN_SHEET_NAME.sub(" ", str(sheet))[:31], {'"': "&quot;"})
            z.writestr("xl/workbook.xml", WORKBOOK.format(name=name))
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                part.write(SHEET_OPEN.encode())
                batch = []
                for row in chain([header], rows):
                    batch.append("<row>" + "".join(map(_xlsx_cell, row)) + "</row>")
                    if len(batch) == BATCH:
                        part.write("".join(batch).encode())
                        batch = []
                        yield pipe.take()
                part.write(("".join(batch) + SHEET_CLOSE).encode())
        yield pipe.take()


def table_response(header, rows, *, fmt: str, filename: str, sheet: str):
    language, zone = translation.get_language(), timezone.get_current_timezone()
    if fmt == "csv":
        stream = _csv_stream(header, rows, language, zone)
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        stream = _xlsx_stream(header, rows, sheet, language, zone)
        response = StreamingHttpResponse(stream, content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
