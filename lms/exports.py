"""Tables for download: the same rows as CSV (UTF-8 with BOM and «;», as Excel in Russia opens
it) or XLSX.

Every export goes through `table_response`, and it writes every string as text, never as
something a spreadsheet runs: names and titles are typed by people, and a name such as
``=HYPERLINK("http://…","x")`` must not become a live formula in the reader's Excel. In CSV a
string starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe (Excel and
LibreOffice then show it as text); in XLSX every string is a string cell, never a formula or an
error code. Numbers and dates stay numbers and dates.
"""

import csv
import io
from itertools import chain

from django.http import Http404, HttpResponse
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
    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"  # openpyxl makes "=…" a formula and "#N/A" an error code
    return cell


def table_response(header, rows, *, fmt: str, filename: str, sheet: str) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([csv_text(value) for value in header])
        writer.writerows([csv_text(value) for value in row] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet[:31])
        for row in chain([header], rows):
            worksheet.append([_xlsx_cell(worksheet, value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
