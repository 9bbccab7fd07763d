"""courses.roster_file: uploaded lists of people, parsed by content and validated row by row."""

import zipfile
from io import BytesIO

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.roster_file import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_LINES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    RosterError,
    RosterRow,
    parse_roster,
)

HEADER = "ФИО;E-mail;Организация;Должность"


def upload(content: bytes, name: str = "список.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def csv_upload(*lines: str, name: str = "список.csv", encoding: str = "utf-8-sig"):
    return upload("\r\n".join(lines).encode(encoding), name)


def xlsx_upload(rows: list[list], name: str = "список.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return upload(buffer.getvalue(), name)


def whole_file_error(result) -> str:
    rows, errors = result
    assert rows == []
    assert len(errors) == 1
    assert errors[0].line is None
    return errors[0].message


def messages(errors: list[RosterError]) -> list[tuple[int | None, str]]:
    return [(e.line, e.message) for e in errors]


def test_utf8_bom_csv_with_semicolons_and_full_name_column():
    rows, errors = parse_roster(
        csv_upload(
            HEADER,
            "  Иванова\u00a0 Анна   Петровна ;Anna.Ivanova@Example.RU;ООО «Опека»; Специалист ",
            "Мамедов Эльдар Рашид оглы;eldar@example.ru;Отдел опеки, г. Казань;Ведущий специалист",
            "Ким Ольга;kim@example.ru;Отдел опеки;Главный специалист",
        )
    )
    assert errors == []
    assert rows[0] == RosterRow(
        line=2,
        last_name="Иванова",
        first_name="Анна",
        middle_name="Петровна",
        email="anna.ivanova@example.ru",
        organisation="ООО «Опека»",
        position="Специалист",
    )
    assert rows[0].full_name == "Иванова Анна Петровна"
    assert (rows[1].last_name, rows[1].first_name, rows[1].middle_name) == (
        "Мамедов",
        "Эльдар",
        "Рашид оглы",
    )
    assert rows[1].organisation == "Отдел опеки, г. Казань"
    assert (rows[2].line, rows[2].middle_name, rows[2].full_name) == (4, "", "Ким Ольга")


def test_cp1251_csv_with_commas_and_separate_name_columns():
    rows, errors = parse_roster(
        csv_upload(
            "Фамилия,Имя,Отчество,Электронная почта,Организация,Должность",
            'Петров,Пётр,,petrov@example.ru,"Управление опеки, Тверь",Инспектор',
            encoding="cp1251",
        )
    )
    assert errors == []
    assert [(r.full_name, r.email, r.organisation) for r in rows] == [
        ("Петров Пётр", "petrov@example.ru", "Управление опеки, Тверь")
    ]


def test_tab_delimited_csv_and_loose_header_spelling():
    rows, errors = parse_roster(
        csv_upload(
            " фамилия \tИМЯ\tОтчество (при наличии)\tЭл. почта*\tОрганизация\tДолжность",
            "Сидоров\tИван\tИванович\tsidorov@example.ru\tОпека\tСпециалист",
        )
    )
    assert errors == []
    assert rows[0].full_name == "Сидоров Иван Иванович"


def test_semicolon_header_with_comma_inside_a_column_name():
    rows, errors = parse_roster(
        csv_upload(
            "ФИО;Почта;Организация (место работы, полностью);Должность",
            "Иванов Иван;ivanov@example.ru;Опека, г. Псков;Специалист",
        )
    )
    assert errors == []
    assert rows[0].organisation == "Опека, г. Псков"


def test_xlsx():
    rows, errors = parse_roster(
        xlsx_upload(
            [
                ["Фамилия", "Имя", "Отчество", "Email", "Организация", "Должность"],
                ["Смирнова", "Елена", None, "Smirnova@Example.ru", "Опека", "Специалист"],
                [None, None, None, None, None, None],
                ["Орлов", "Олег", "Олегович", "orlov@example.ru", "Опека", "Начальник"],
            ]
        )
    )
    assert errors == []
    assert [(r.line, r.full_name, r.email) for r in rows] == [
        (2, "Смирнова Елена", "smirnova@example.ru"),
        (4, "Орлов Олег Олегович", "orlov@example.ru"),
    ]


def test_xlsx_name_with_csv_content_is_parsed_as_csv():
    rows, errors = parse_roster(
        csv_upload(HEADER, "Иванов Иван;ivanov@example.ru;Опека;Специалист", name="список.xlsx")
    )
    assert errors == []
    assert rows[0].full_name == "Иванов Иван"


def test_csv_name_with_xlsx_content_is_parsed_as_xlsx():
    rows, errors = parse_roster(
        xlsx_upload(
            [
                ["ФИО", "Email", "Организация", "Должность"],
                ["Иванов Иван", "ivanov@example.ru", "Опека", "Специалист"],
            ],
            name="список.csv",
        )
    )
    assert errors == []
    assert rows[0].email == "ivanov@example.ru"


def test_pdf_renamed_to_csv_is_refused():
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    message = whole_file_error(parse_roster(upload(pdf, "список.csv")))
    assert "не похож на таблицу CSV или XLSX" in message


def test_binary_content_is_refused():
    message = whole_file_error(parse_roster(upload(b"ID3\x04\x00\x00\x00\x00\x01\x02", "a.csv")))
    assert "не похож на таблицу CSV или XLSX" in message


def test_old_xls_is_refused():
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    message = whole_file_error(parse_roster(upload(xls, "список.xls")))
    assert ".xls" in message
    assert "XLSX или CSV" in message


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "не таблица")
    message = whole_file_error(parse_roster(upload(buffer.getvalue(), "список.xlsx")))
    assert "не похож на таблицу CSV или XLSX" in message


def test_missing_columns_are_named():
    message = whole_file_error(parse_roster(csv_upload("Фамилия;Почта", "Иванов;a@example.ru")))
    assert "«Имя»" in message
    assert "«Организация»" in message
    assert "«Должность»" in message
    assert "почта" not in message.lower()

    message = whole_file_error(parse_roster(csv_upload("Организация;Должность", "Опека;Инспектор")))
    assert "«ФИО (или Фамилия и Имя)»" in message
    assert "«Электронная почта»" in message


def test_all_row_errors_are_reported_with_line_numbers():
    long_name = "Б" * 101
    rows, errors = parse_roster(
        csv_upload(
            HEADER,
            "Иванов Иван;ivanov@example.ru;Опека;Специалист",
            "Петров;petrov@example.ru;Опека;Специалист",
            "Сидоров Сидор;не-почта;Опека;Специалист",
            "Орлова Ольга;orlova@example.ru;;Специалист",
            ";;;",
            "Иванов Иван;IVANOV@example.ru;Опека;Специалист",
            f"{long_name} Анна;anna@example.ru;Опека;Специалист",
            "Ким Ольга;;Опека;",
        )
    )
    assert [r.line for r in rows] == [2]
    assert messages(errors) == [
        (3, "Строка 3: не указаны фамилия и имя."),
        (4, "Строка 4: «не-почта» — неверный адрес электронной почты."),
        (5, "Строка 5: не заполнено поле «Организация»."),
        (7, "Строка 7: адрес ivanov@example.ru уже указан в строке 2."),
        (8, "Строка 8: поле «Фамилия» длиннее 100 символов."),
        (9, "Строка 9: не заполнено поле «Электронная почта»."),
        (9, "Строка 9: не заполнено поле «Должность»."),
    ]


def test_over_long_organisation_and_position():
    _rows, errors = parse_roster(
        csv_upload(HEADER, f"Иванов Иван;i@example.ru;{'О' * 301};{'Д' * 201}")
    )
    assert messages(errors) == [
        (2, "Строка 2: поле «Организация» длиннее 300 символов."),
        (2, "Строка 2: поле «Должность» длиннее 200 символов."),
    ]


def test_email_optional_mode_accepts_rows_and_files_without_email():
    upload_with_blank = csv_upload(HEADER, "Иванов Иван;;Опека;Специалист")
    rows, errors = parse_roster(upload_with_blank, email_required=False)
    assert errors == []
    assert rows[0].email == ""

    rows, errors = parse_roster(
        csv_upload("ФИО;Организация;Должность", "Иванов Иван;Опека;Специалист"),
        email_required=False,
    )
    assert errors == []
    assert rows[0].full_name == "Иванов Иван"

    _rows, errors = parse_roster(
        csv_upload(HEADER, "Иванов Иван;плохо;Опека;Специалист"), email_required=False
    )
    assert messages(errors) == [(2, "Строка 2: «плохо» — неверный адрес электронной почты.")]


def test_empty_rows_are_skipped_and_line_numbers_kept():
    rows, errors = parse_roster(
        csv_upload(
            "",
            HEADER,
            "",
            " ; \u00a0 ;;",
            "Иванов Иван;ivanov@example.ru;Опека;Специалист",
            "",
        )
    )
    assert errors == []
    assert [r.line for r in rows] == [5]


def test_oversize_file_is_refused():
    big = (HEADER + "\r\n").encode() + b"x" * MAX_BYTES
    assert f"больше {MAX_BYTES // 2**20} МБ" in whole_file_error(parse_roster(upload(big)))


def test_empty_file_and_header_only():
    assert "пустой" in whole_file_error(parse_roster(upload(b"")))
    assert "пустой" in whole_file_error(parse_roster(upload(b"\xef\xbb\xbf\r\n ;;\r\n")))
    assert "нет ни одной строки с данными" in whole_file_error(parse_roster(csv_upload(HEADER)))


def test_too_many_rows_are_refused():
    lines = [f"Иванов Иван;i{n}@example.ru;Опека;Специалист" for n in range(MAX_ROWS + 1)]
    message = whole_file_error(parse_roster(csv_upload(HEADER, *lines)))
    assert f"больше {MAX_ROWS} человек (строк с данными)" in message


def test_english_headers():
    rows, errors = parse_roster(
        csv_upload(
            "Full name,E-mail,Organization,Position",
            "Ivanova Anna,anna@example.ru,Guardianship office,Specialist",
        )
    )
    assert errors == []
    assert rows[0].full_name == "Ivanova Anna"

    rows, errors = parse_roster(
        xlsx_upload(
            [
                ["Last name", "First name", "Middle name", "Email", "Organisation", "Position"],
                ["Ivanova", "Anna", "", "anna@example.ru", "Office", "Specialist"],
            ]
        )
    )
    assert errors == []
    assert (rows[0].last_name, rows[0].first_name) == ("Ivanova", "Anna")


def test_an_archive_that_unpacks_to_too_much_is_refused_before_it_is_read():
    """A ZIP bomb: a valid workbook plus a part of zeros, small packed, huge unpacked."""
    packed = BytesIO(
        xlsx_upload([HEADER.split(";"), ["Иванов Иван", "i@example.ru", "О", "С"]]).read()
    )
    with zipfile.ZipFile(packed, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (MAX_UNPACKED_BYTES + 1))
    assert len(packed.getvalue()) < MAX_BYTES
    message = whole_file_error(parse_roster(upload(packed.getvalue(), "список.xlsx")))
    assert "Таблица внутри файла слишком велика" in message


def test_a_stray_cell_far_to_the_right_does_not_widen_every_row():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for n in range(3):
        sheet.append([f"Иванов Иван{n}", f"i{n}@example.ru", "Опека", "Специалист"])
    sheet.cell(row=2, column=16384, value="забыто")  # column XFD, the last one
    buffer = BytesIO()
    workbook.save(buffer)
    rows, errors = parse_roster(upload(buffer.getvalue(), "список.xlsx"))
    assert errors == [] and len(rows) == 3


def test_columns_beyond_the_limit_are_not_read():
    header = [f"Столбец {n}" for n in range(MAX_COLUMNS)] + HEADER.split(";")
    message = whole_file_error(parse_roster(xlsx_upload([header, ["x"] * len(header)])))
    assert "не найдены столбцы" in message


def test_blank_lines_count_towards_the_limit_in_xlsx_and_csv():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["Иванов Иван", "i@example.ru", "Опека", "Специалист"])
    sheet.cell(row=1_048_576, column=1, value=" ")  # the sheet's last row
    buffer = BytesIO()
    workbook.save(buffer)
    message = whole_file_error(parse_roster(upload(buffer.getvalue(), "список.xlsx")))
    assert f"больше {MAX_LINES} строк, считая пустые" in message
    lines = [HEADER, "Иванов Иван;i@example.ru;Опека;Специалист"] + [";;;"] * MAX_LINES
    message = whole_file_error(parse_roster(csv_upload(*lines)))
    assert f"больше {MAX_LINES} строк, считая пустые" in message
