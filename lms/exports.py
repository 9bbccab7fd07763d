"""Tables for download: the same rows as CSV (UTF-8 with BOM and «;», as Excel in Russia opens
it) or XLSX.

Every export goes through `table_response`, and it writes every string as text, never as
something a spreadsheet runs: names and titles are typed by people, and a name such as
``=HYPERLINK("http://…","x")`` must not become a live formula in the reader's Excel. In CSV a
string starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe (Excel and
LibreOffice then show it as text); in XLSX every string is a string cell, never a formula or an
error code. Numbers and dates stay numbers and dates.

Nothing is built whole in memory: a CSV streams, row by row, as the rows are read (the first
bytes leave at once, whatever the size); an XLSX is written by openpyxl's write-only workbook
into a temporary file that spills to disk past a few megabytes, then sent from it.
"""

import csv
import tempfile
from itertools import chain

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A CSV cell that a spreadsheet shows as typed, whatever its first character."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cell(worksheet, value):
    if not isinstance(value, str):
        return value
    # Line breaks as Excel stores them, whichever XML writer openpyxl uses.
    cell = WriteOnlyCell(worksheet, value=value.replace("\r\n", "\n").replace("\r", "\n"))
    cell.data_type = "s"  # openpyxl makes "=…" a formula and "#N/A" an error code
    return cell


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
        if len(batch) == 500:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


def table_response(header, rows, *, fmt: str, filename: str, sheet: str):
    if fmt == "csv":
        stream = _csv_stream(
            header, rows, translation.get_language(), timezone.get_current_timezone()
        )
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet[:31])
        for row in chain([header], rows):
            worksheet.append([_xlsx_cell(worksheet, value) for value in row])
        stored = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
        workbook.save(stored)
        stored.seek(0)
        response = FileResponse(stored, content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
