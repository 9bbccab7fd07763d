"""Parse and validate an uploaded list of people (bulk enrolment, event participant lists).

The file type is decided by its content, never by its name or the browser's content type: users
rename files freely (a CSV saved as «список.xlsx», a PDF renamed to .csv), and both the name and
the content type are supplied by the client. So an XLSX is a ZIP archive that openpyxl can open,
and anything else must decode as text (UTF-8, or cp1251 as Excel in Russia saves CSV) without
binary control characters; everything else is refused with one clear message.

Nothing here touches the database: `parse_roster` returns the valid rows and every error found,
so the user can fix the whole file in one go.

The work a file can cause is bounded before and while it is read, so one upload cannot hold a
web worker or its memory: its size before anything is parsed; for an XLSX, what the ZIP unpacks
to (a small archive can hold hundreds of megabytes of shared strings) and only the first
MAX_COLUMNS columns of each row (a stray cell in column XFD pads every row to 16,384 cells);
and the number of lines read, blank ones included (a cell on row 1,048,576 makes a million
blank rows). The limits are stated on the upload forms (`limits_text`).
"""

import csv
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO, StringIO

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 1024 * 1024  # the file as uploaded
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # what an XLSX archive holds, all parts together
MAX_ROWS = 500  # people in one list
MAX_LINES = 1000  # lines read, blank ones included
MAX_COLUMNS = 50  # columns read; the header must be within them
MAX_LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "middle_name": 100,
    "organisation": 300,
    "position": 200,
}

LABELS = {
    "full_name": gettext_lazy("ФИО (или Фамилия и Имя)"),
    "last_name": gettext_lazy("Фамилия"),
    "first_name": gettext_lazy("Имя"),
    "middle_name": gettext_lazy("Отчество"),
    "email": gettext_lazy("Электронная почта"),
    "organisation": gettext_lazy("Организация"),
    "position": gettext_lazy("Должность"),
}

HEADER_SYNONYMS = {
    "full_name": ("ФИО", "Ф.И.О.", "Фамилия Имя Отчество", "Full name"),
    "last_name": ("Фамилия", "Last name", "Surname", "Family name"),
    "first_name": ("Имя", "First name", "Given name"),
    "middle_name": ("Отчество", "Patronymic", "Middle name"),
    "email": ("E-mail", "Email", "Эл. почта", "Электронная почта", "Почта", "Адрес эл. почты"),
    "organisation": ("Организация", "Organisation", "Organization"),
    "position": ("Должность", "Position", "Job title"),
}

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old binary Excel (.xls), Word (.doc)
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class RosterRow:
    line: int
    last_name: str
    first_name: str
    middle_name: str
    email: str
    organisation: str
    position: str

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


@dataclass
class RosterError:
    line: int | None  # None: a problem with the whole file
    message: str


class _FileProblem(Exception):
    """The whole file is unusable; carries the message for the user."""


def parse_roster(
    uploaded, *, email_required: bool = True
) -> tuple[list[RosterRow], list[RosterError]]:
    """Return (valid rows, errors). A whole-file error comes alone, with no rows."""
    try:
        return _parse_records(_records(_read(uploaded)), email_required)
    except _FileProblem as problem:
        return [], [RosterError(None, str(problem))]


def limits_text() -> str:
    """The limits, as the upload forms state them."""
    return _(
        "Не больше %(rows)s человек в одном файле размером до %(size)s МБ; пустые строки тоже "
        "считаются, всего не больше %(lines)s строк. Больший список разделите на несколько файлов."
    ) % {"rows": MAX_ROWS, "size": MAX_BYTES // (1024 * 1024), "lines": MAX_LINES}


limits_text_lazy = lazy(limits_text, str)


def _read(uploaded) -> bytes:
    too_big = _FileProblem(
        _("Файл больше %(size)s МБ. Разделите список на несколько файлов.")
        % {"size": MAX_BYTES // (1024 * 1024)}
    )
    if (uploaded.size or 0) > MAX_BYTES:
        raise too_big
    uploaded.seek(0)
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_big
    if not data.strip():
        raise _FileProblem(_("Файл пустой."))
    return data


def _not_a_table() -> _FileProblem:
    return _FileProblem(
        _("Файл не похож на таблицу CSV или XLSX. Сохраните список в одном из этих форматов.")
    )


def _records(data: bytes):
    """Pick the reader by content; return an iterator of rows (lists of cell values)."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_records(data)
    if data.startswith(OLE_SIGNATURE):
        raise _FileProblem(
            _("Это файл старого формата Excel (.xls). Сохраните его как XLSX или CSV.")
        )
    if data.startswith(BINARY_SIGNATURES):
        raise _not_a_table()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise _not_a_table() from None
    if CONTROL_CHARS.search(text):
        raise _not_a_table()
    return _csv_records(text)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse an archive that unpacks to more than MAX_UNPACKED_BYTES, by its directory (the
    sizes it declares) before any part is inflated; openpyxl's reads are bounded by the same
    declared sizes (zipfile stops at them)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _not_a_table() from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _FileProblem(
            _(
                "Таблица внутри файла слишком велика (больше %(size)s МБ данных). Оставьте в "
                "файле только список, без других листов и картинок, или сохраните его как CSV."
            )
            % {"size": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )


def _xlsx_records(data: bytes):
    _check_unpacked_size(data)
    try:
        workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types on a ZIP that is not a workbook
        raise _not_a_table() from None
    try:
        if not workbook.worksheets:
            return
        # Read-only sheets are parsed lazily, so a broken sheet fails while iterating. One line
        # more than allowed is read, so that a longer sheet is refused, not cut short.
        yield from workbook.worksheets[0].iter_rows(
            max_row=MAX_LINES + 1, max_col=MAX_COLUMNS, values_only=True
        )
    except Exception:
        raise _not_a_table() from None
    finally:
        workbook.close()


def _csv_records(text: str):
    # The delimiter is the most frequent of ; , tab in the header line (ties go to ";").
    # csv.Sniffer prefers "," and misreads headers such as «ФИО;Место работы, организация».
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=header.count)
    reader = csv.reader(StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    try:
        yield from reader
    except csv.Error:
        raise _FileProblem(
            _("Не удалось прочитать CSV: файл повреждён (строка %(line)s).")
            % {"line": reader.line_num}
        ) from None


def _clean(value) -> str:
    """Cell text with whitespace (non-breaking spaces too) trimmed and collapsed."""
    return "" if value is None else " ".join(str(value).split())


def _header_key(name: str) -> str:
    name = re.sub(r"\(.*?\)", "", name.lower().replace("ё", "е"))  # «Отчество (при наличии)»
    return re.sub(r"[\W_]+", "", name)


HEADER_FIELDS = {
    _header_key(name): field for field, names in HEADER_SYNONYMS.items() for name in names
}


def _columns(header: list[str], email_required: bool) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        field = HEADER_FIELDS.get(_header_key(name))
        if field:
            columns.setdefault(field, index)
    missing = []
    if not {"last_name", "first_name"} <= columns.keys() and "full_name" not in columns:
        if "last_name" in columns:
            missing.append("first_name")
        elif "first_name" in columns:
            missing.append("last_name")
        else:
            missing.append("full_name")
    if email_required and "email" not in columns:
        missing.append("email")
    missing += [field for field in ("organisation", "position") if field not in columns]
    if missing:
        raise _FileProblem(
            _("В строке заголовков не найдены столбцы: %(columns)s.")
            % {"columns": ", ".join(f"«{LABELS[field]}»" for field in missing)}
        )
    return columns


def _parse_records(records, email_required: bool):
    numbered = (
        (line, [_clean(cell) for cell in cells[:MAX_COLUMNS]]) for line, cells in _bounded(records)
    )
    header = next((cells for _line, cells in numbered if any(cells)), None)
    if header is None:
        raise _FileProblem(_("Файл пустой."))
    columns = _columns(header, email_required)
    if {"last_name", "first_name"} <= columns.keys():
        columns.pop("full_name", None)

    rows: list[RosterRow] = []
    errors: list[RosterError] = []
    first_line_of: dict[str, int] = {}
    count = 0
    for line, cells in numbered:
        if not any(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _FileProblem(
                _(
                    "В списке больше %(max)s человек (строк с данными). Разделите его на "
                    "несколько файлов."
                )
                % {"max": MAX_ROWS}
            )
        values = {field: cells[i] if i < len(cells) else "" for field, i in columns.items()}
        row, row_errors = _parse_row(line, values, email_required, first_line_of)
        errors += row_errors
        if not row_errors:
            rows.append(row)
    if count == 0:
        raise _FileProblem(_("В файле есть заголовки, но нет ни одной строки с данными."))
    return rows, errors


def _bounded(records):
    """Number the lines, blank ones too, and refuse a file with more than MAX_LINES."""
    for line, cells in enumerate(records, 1):
        if line > MAX_LINES:
            raise _FileProblem(
                _(
                    "В файле больше %(max)s строк, считая пустые. Удалите пустые строки в конце "
                    "листа или разделите список на несколько файлов."
                )
                % {"max": MAX_LINES}
            )
        yield line, cells


def _parse_row(line: int, values: dict[str, str], email_required: bool, first_line_of):
    errors: list[str] = []
    if "full_name" in values:
        parts = values["full_name"].split()
        last, first = (parts + ["", ""])[:2]
        middle = " ".join(parts[2:])  # «Мамедов Эльдар Рашид оглы»: the rest is the patronymic
    else:
        last, first = values["last_name"], values["first_name"]
        middle = values.get("middle_name", "")
    row = RosterRow(
        line=line,
        last_name=last,
        first_name=first,
        middle_name=middle,
        email=values.get("email", "").lower(),
        organisation=values["organisation"],
        position=values["position"],
    )

    if not row.last_name or not row.first_name:
        errors.append(_("Строка %(line)s: не указаны фамилия и имя.") % {"line": line})
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            errors.append(
                _("Строка %(line)s: «%(email)s» — неверный адрес электронной почты.")
                % {"line": line, "email": row.email}
            )
        else:
            if row.email in first_line_of:
                errors.append(
                    _("Строка %(line)s: адрес %(email)s уже указан в строке %(first)s.")
                    % {"line": line, "email": row.email, "first": first_line_of[row.email]}
                )
            else:
                first_line_of[row.email] = line
    elif email_required:
        errors.append(_missing(line, "email"))
    for field in ("organisation", "position"):
        if not getattr(row, field):
            errors.append(_missing(line, field))

    for field, limit in MAX_LENGTHS.items():
        if len(getattr(row, field)) > limit:
            errors.append(
                _("Строка %(line)s: поле «%(field)s» длиннее %(limit)s символов.")
                % {"line": line, "field": LABELS[field], "limit": limit}
            )
    return row, [RosterError(line, message) for message in errors]


def _missing(line: int, field: str) -> str:
    return _("Строка %(line)s: не заполнено поле «%(field)s».") % {
        "line": line,
        "field": LABELS[field],
    }
