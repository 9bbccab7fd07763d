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


def test_a_csv_streams_its_rows_as_they_are_read():
    """The first bytes of a 50,000-row export leave before the rows are all read: a big
    export neither waits for its whole table nor holds it in memory."""
    read = []

    def rows():
        for n in range(50_000):
            read.append(n)
            yield [f"Иванова{n} Мария", n]

    response = table_response(["ФИО", "№"], rows(), fmt="csv", filename="x", sheet="x")
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
