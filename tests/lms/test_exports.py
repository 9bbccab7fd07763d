"""Exports write what people typed as text, never as something a spreadsheet runs."""

import csv
import io
import re

from openpyxl import load_workbook

from lms.exports import table_response
from tests.browser.conftest import ROOT

TYPED = [
    '=HYPERLINK("http://evil.example/","x")',
    "+79131234567",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))


def test_csv_cells_starting_like_a_formula_are_neutralised():
    response = table_response(
        ["ФИО", "часы"], [[typed, 72] for typed in TYPED], fmt="csv", filename="t", sheet="t"
    )
    cells = [row[0] for row in _csv_rows(response)[1:]]
    assert cells[:6] == ["'" + typed for typed in TYPED[:6]]
    assert cells[6] == "#N/A"  # not a formula start: Excel reads it as text in a CSV
    assert all(row[1] == "72" for row in _csv_rows(response)[1:])


def test_xlsx_strings_are_string_cells_never_formulas():
    response = table_response(
        ["ФИО", "часы"], [[typed, 72] for typed in TYPED], fmt="xlsx", filename="t", sheet="t"
    )
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    for row, typed in enumerate(TYPED, start=2):
        assert sheet.cell(row, 1).data_type == "s"
        assert sheet.cell(row, 1).value == typed.replace("\r", "\n")  # XML reads CR as LF
        assert sheet.cell(row, 2).value == 72 and sheet.cell(row, 2).data_type == "n"


def test_every_export_goes_through_the_one_helper():
    """CSV or XLSX written anywhere else would not get the protection above."""
    writers = re.compile(r"csv\.writer|csv\.DictWriter|\bWorkbook\(")
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("lms", "courses", "supervision", "certificates", "cascade", "cms")
        for path in (ROOT / app).rglob("*.py")
        if path.name != "exports.py" and writers.search(path.read_text())
    ]
    assert offenders == []


def _counted_rows(read: list):
    """50,000 rows, each noted in ``read`` as it is taken: what was read when a chunk left."""
    for n in range(50_000):
        read.append(n)
        yield [f"Иванова{n} Мария", n]


def test_a_csv_streams_its_rows_as_they_are_read():
    """The first bytes of a 50,000-row export leave before the rows are all read: a big
    export neither waits for its whole table nor holds it in memory."""
    read = []
    rows = _counted_rows(read)
    response = table_response(["ФИО", "№"], rows, fmt="csv", filename="x", sheet="x")
    assert response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith("\ufeffФИО;№".encode())
    assert len(read) < 1000
    assert sum(1 for _chunk in chunks) > 10 and len(read) == 50_000


def test_a_streamed_csv_is_written_in_the_readers_language_and_zone():
    """The rows of a CSV are read while it is sent, after the view (and the middleware that
    set the reader's language and zone) returned: they still see the reader's own."""
    from django.utils import timezone, translation

    def rows():
        yield [translation.get_language(), timezone.get_current_timezone_name()]

    with translation.override("en"), timezone.override("Asia/Novosibirsk"):
        response = table_response(["язык", "пояс"], rows(), fmt="csv", filename="x", sheet="x")
    text = response.getvalue().decode("utf-8-sig")  # sent after the view returned
    assert "en;Asia/Novosibirsk" in text


def test_an_xlsx_streams_too_and_opens_whole():
    """A 50,000-row workbook leaves in chunks as its rows are read, and what arrives is one
    workbook with every row, numbers as numbers."""
    read = []
    rows = _counted_rows(read)
    response = table_response(["ФИО", "№"], rows, fmt="xlsx", filename="x", sheet="Реестр")
    assert response.streaming
    chunks = iter(response.streaming_content)
    body = [next(chunks)]
    assert body[0].startswith(b"PK")  # the archive begins before the rows are all read
    assert len(read) < 1000
    body += list(chunks)
    assert len(body) > 10 and len(read) == 50_000
    workbook = load_workbook(io.BytesIO(b"".join(body)), read_only=True)
    assert workbook.sheetnames == ["Реестр"]
    values = list(workbook.active.values)
    assert values[0] == ("ФИО", "№")
    assert values[-1] == ("Иванова49999 Мария", 49999) and len(values) == 50_001


def test_an_xlsx_keeps_what_xml_can_hold_and_a_sheet_name_excel_accepts():
    """Control characters pasted with a name cannot break the workbook, and a sheet named
    with characters Excel refuses is still opened."""
    response = table_response(
        ["ФИО"], [["Петров\x00\x0bа <b>&</b>"]], fmt="xlsx", filename="x", sheet="Охват: 2026/27"
    )
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert workbook.sheetnames == ["Охват  2026 27"]
    assert workbook.active.cell(2, 1).value == "Петрова <b>&</b>"
