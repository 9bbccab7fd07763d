"""supervision.anonymity: warnings about personal data left in a supervision case text."""

import pytest

from supervision.anonymity import MAX_FINDINGS, find_personal_data


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.fragment) for f in find_personal_data(text)]


def test_a_typical_non_anonymised_sentence():
    text = (
        "Мама, Петрова Анна Сергеевна, 12.03.1985 г.р., проживает по адресу ул. Ленина, д. 5, "
        "кв. 12, тел. +7 (913) 123-45-67"
    )
    assert found(text) == [
        ("full_name", "Петрова Анна Сергеевна"),
        ("birth_date", "12.03.1985 г.р."),
        ("address", "ул. Ленина, д. 5, кв. 12"),
        ("phone", "+7 (913) 123-45-67"),
    ]
    messages = {f.kind: f.message for f in find_personal_data(text)}
    assert messages == {
        "full_name": "Похоже на ФИО с отчеством: замените инициалами или ролью "
        "(«мама», «ребёнок 7 лет»).",
        "birth_date": "Похоже на дату рождения: укажите возраст.",
        "address": "Похоже на адрес: оставьте только тип населённого пункта.",
        "phone": "Похоже на номер телефона.",
    }


def test_a_well_anonymised_case_gives_no_findings():
    text = (
        "Мама (34 года) и сын (7 лет) живут в районном центре. В 2019 году семья впервые "
        "обратилась в Органы опеки после развода родителей. Мама работает продавцом, отец "
        "помогает нерегулярно. Бабушка по линии мамы живёт в соседнем селе и забирает ребёнка "
        "на выходные. Специалист применял Семейно-ориентированный подход: встречи проходили "
        "раз в неделю, в 10:00, по 1,5 часа, всего 12 встреч. В квартире 2 комнаты, у ребёнка "
        "есть свой угол. Вопрос к супервизору: как поддержать маму и не взять на себя её "
        "ответственность? Сын посещает 1-й класс, учительница отмечает тревожность и т. д. "
        "Запрос на 2024/2025 учебный год сформулирован в марте 2024 г. Основной запрос — "
        "Духовной опоры и Условной поддержки здесь нет."
    )
    assert found(text) == []


@pytest.mark.parametrize(
    "ordinary",
    [
        "Семейно-ориентированный подход",
        "Органы опеки",
        "Органы опеки и попечительства",
        "Мама",
        "Встреча назначена на 10:00, следующая в 14:30.",
        "Ребёнок пошёл в школу в 2019 году.",
        "в 2019 г. Мама переехала",
        "Дети 8, 10 и 12 лет; ещё 8 10 12 14 16 18 лет",
        "Российская Государственная Библиотека",
        "Анна пришла на встречу, Сергей не пришёл.",
        "На улице было холодно, дома тепло.",
        "См. стр. 15, п. 3, и т. д. 5 раз.",
        "Встреча длилась 1.5 часа; оценка 4.5 из 5.",
        "В квартире 2 комнаты, в доме 5 этажей.",
    ],
)
def test_no_false_positives_on_ordinary_text(ordinary):
    assert found(ordinary) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Беседа с Петровой Анной Сергеевной прошла спокойно.", "Петровой Анной Сергеевной"),
        ("Пришла Анна Сергеевна Петрова с сыном.", "Анна Сергеевна Петрова"),
        ("Мама Анна Сергеевна пришла вовремя.", "Анна Сергеевна"),
        ("Отец, Иванов Пётр Николаевич, на встречу не пришёл.", "Иванов Пётр Николаевич"),
        ("Со слов Сидорова Игоря Львовича, мальчик тревожен.", "Сидорова Игоря Львовича"),
        ("Опекун — Мамедов Эльдар Гусейн оглы.", "Мамедов Эльдар Гусейн оглы"),
        ("Бабушка, Кузнецова Мария Никитична, против.", "Кузнецова Мария Никитична"),
        ("Отчим Римский-Корсаков Олег Ильич.", "Римский-Корсаков Олег Ильич"),
    ],
)
def test_full_names_with_patronymic(text, fragment):
    assert found(text) == [("full_name", fragment)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Специалист Иванов И. И. провёл встречу.", "Иванов И. И."),
        ("Заявление подписала Петрова А.С., мама.", "Петрова А.С."),
        ("Со стороны школы — И.И. Сидоров.", "И.И. Сидоров"),
    ],
)
def test_surnames_with_initials(text, fragment):
    (finding,) = find_personal_data(text)
    assert (finding.kind, finding.fragment) == ("full_name", fragment)
    assert "инициалами" in finding.message


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("Мальчик 05.06.2012 г.р., учится в школе.", "birth_date", "05.06.2012 г.р."),
        ("Дата рождения: 05.06.12.", "birth_date", "05.06.12"),
        ("Сын родился 2012-06-05 в областном центре.", "birth_date", "2012-06-05"),
        ("Дочь, 2015 г. р., ходит в садик.", "birth_date", "2015 г. р."),
        ("Сын 2010 года рождения.", "birth_date", "2010 года рождения"),
        ("Год рождения: 1985.", "birth_date", "Год рождения: 1985"),
        ("Отец родился в 1980 году.", "birth_date", "родился в 1980 году"),
        ("Суд состоялся 15.04.2023.", "date", "15.04.2023"),
        ("Переезд 12 марта 2021 года.", "date", "12 марта 2021 года"),
    ],
)
def test_dates(text, kind, fragment):
    assert found(text) == [(kind, fragment)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("СНИЛС мамы 123-456-789 01.", "123-456-789 01"),
        ("СНИЛС: 12345678901", "12345678901"),
        ("СНИЛС 81234567890", "81234567890"),
        ("Номер 123 456 789 01 указан в деле.", "123 456 789 01"),
    ],
)
def test_snils(text, fragment):
    assert found(text) == [("snils", fragment)]
    assert find_personal_data(text)[0].message == "Похоже на СНИЛС."


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Паспорт 45 06 123456 выдан ОВД.", "45 06 123456"),
        ("Паспорт: 4506 123456", "4506 123456"),
        ("паспорт 4506123456", "4506123456"),
        ("Паспорт серия 4506 № 123456.", "4506 № 123456"),
        ("Документ 4506 123456 предъявлен.", "4506 123456"),
    ],
)
def test_passports(text, fragment):
    assert found(text) == [("passport", fragment)]
    assert find_personal_data(text)[0].message == "Похоже на паспортные данные."


@pytest.mark.parametrize(
    "phone",
    [
        "+7 (913) 123-45-67",
        "+7 913 123 45 67",
        "+79131234567",
        "8 (913) 123-45-67",
        "8-913-123-45-67",
        "89131234567",
        "8 (3822) 12-34-56",
    ],
)
def test_phones(phone):
    assert found(f"Телефон мамы: {phone}, звонить вечером.") == [("phone", phone)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "Живут по адресу: улица Карла Маркса, дом 7, квартира 3.",
            "улица Карла Маркса, дом 7, квартира 3",
        ),
        ("Семья переехала на проспект Мира.", "проспект Мира"),
        ("Адрес: пр-т Ленина 10, кв. 4", "пр-т Ленина 10, кв. 4"),
        ("Живут в с. Подгорное, у бабушки.", "с. Подгорное"),
        ("Переехали в г. Томск.", "г. Томск"),
        ("Ул. неизвестна, но д. 12а, кв. 7.", "д. 12а, кв. 7"),
        ("Живут на улице 50 лет Октября.", "улице 50 лет Октября"),
    ],
)
def test_addresses(text, fragment):
    assert found(text) == [("address", fragment)]


def test_emails():
    assert found("Пишите маме: anna.petrova-85@mail.ru или почта@пример.рф.") == [
        ("email", "anna.petrova-85@mail.ru"),
        ("email", "почта@пример.рф"),
    ]
    assert find_personal_data("a@b.ru")[0].message == "Похоже на адрес электронной почты."


def test_html_input():
    html = (
        "<p>Мама: <strong>Петрова Анна Сергеевна</strong>,<br>тел.&nbsp;8&nbsp;913&nbsp;123"
        "&nbsp;45&nbsp;67</p><ul><li>e-mail: <a href='mailto:anna@mail.ru'>anna@mail.ru</a></li>"
        "</ul><script>var x = '12.03.1985';</script>"
    )
    assert found(html) == [
        ("full_name", "Петрова Анна Сергеевна"),
        ("phone", "8 913 123 45 67"),
        ("email", "anna@mail.ru"),
    ]


def test_identical_fragments_are_reported_once():
    text = "Петрова Анна Сергеевна сказала… Петрова Анна Сергеевна повторила. Тел. 89131234567, "
    text += "ещё раз 89131234567."
    assert found(text) == [
        ("full_name", "Петрова Анна Сергеевна"),
        ("phone", "89131234567"),
    ]


def test_no_more_than_the_cap():
    text = " ".join(f"Тел. 8 913 123 {n // 100:02d} {n % 100:02d}." for n in range(80))
    findings = find_personal_data(text)
    assert len(findings) == MAX_FINDINGS == 50
    first = findings[0]
    assert (first.kind, first.fragment, first.message) == (
        "phone",
        "8 913 123 00 00",
        "Похоже на номер телефона.",
    )
    assert first.refusal


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("СНИЛС 123-456-789 01", {"snils"}),
        ("тел. 8 (913) 123-45-67", {"phone"}),
        ("почта a@b.ru", {"email"}),
        ("паспорт 4506 123456", {"passport"}),
        ("Петрова Анна Сергеевна, 12.03.1985 г.р.", {"full_name", "birth_date"}),
        ("Иванова А.С., родилась 12.03.1985", {"full_name", "birth_date"}),
        ("Петрова Анна Сергеевна пришла", set()),
        ("Иванова А.С., в с. Подгорное, 12.03.2024", set()),
        ("ребёнок 2015 года рождения", set()),
    ],
)
def test_what_is_never_anonymous_carries_a_refusal(text, refused):
    findings = find_personal_data(text)
    assert findings
    assert {f.kind for f in findings if f.refusal} == refused


def test_empty_text():
    assert find_personal_data("") == []
    assert find_personal_data(None) == []
    assert find_personal_data("<p></p>") == []


def test_finding_is_frozen():
    finding = find_personal_data("a@b.ru")[0]
    with pytest.raises(AttributeError):
        finding.kind = "phone"
