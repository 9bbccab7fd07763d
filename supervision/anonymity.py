"""Warn when a supervision case text looks like it still contains personal data.

Cases brought to supervision must be anonymised: no names with patronymics, dates of birth,
document numbers, phone numbers, addresses or e-mail addresses. `find_personal_data` reads the
text (plain or HTML, tags are stripped first) and returns what looks like such data, each with a
message for the author. It is a helper for the author, not a guarantee: it looks for the usual
shapes of Russian personal data and prefers missing an unusual form to nagging about ordinary
words («Органы опеки», «в 2019 году», «встреча в 10:00»).

Each family of patterns has its own function below, with a docstring saying what it matches.
The families run in a fixed order and a later one never reports text an earlier one has already
reported (a SNILS is not also a phone number, a phone number not also a passport).

Some findings are never anonymous, whatever the author says: a SNILS, a passport, a phone number,
an e-mail address, and a name (with a patronymic or initials) in a text that also holds a date of
birth. Those carry a ``refusal`` and `review` refuses the case until they are gone. The others (a
bare date, initials, a patronymic alone, part of an address) may be what the author meant, so
`review` lets the author confirm them, but only once they have been shown: the form carries the
`fingerprint` of the findings it showed, and a confirmation of any other set is not one.
"""

import bisect
import re
from dataclasses import dataclass, field, replace

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from lms.sanitize import html_to_text

MAX_FINDINGS = 50


@dataclass(frozen=True)
class Finding:
    kind: str  # full_name, birth_date, date, snils, passport, phone, address, email
    fragment: str  # the text found, whitespace collapsed
    message: str  # what to do about it, for the author
    refusal: str = ""  # why no confirmation can save the case with it; empty when one can


# Pieces shared by the patterns below (they are written with re.VERBOSE: spaces in a pattern are
# ignored, so a literal space is [ ] or part of _SP; doubled braces are rf-string escapes).
_SP = r"[ \t\u00a0]+"  # spaces within a line
_SP0 = r"[ \t\u00a0]*"
_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"  # a capitalised word, double-barrelled allowed
_NO_LETTER_BEFORE = r"(?<![А-ЯЁа-яёA-Za-z])"
_NOT_AFTER_T = r"(?<!т\.[ ])(?<!т\.)"  # «и т. д.», «т.п.»

# Patronymics in any grammatical case. Adjectives of the same shape are excluded.
_PATRONYMIC = rf"""
    (?!(?:Основн|Условн|Безусловн|Духовн|Любовн|Виновн|Верховн|Церковн|Греховн|Родословн
        |Душевн|Задушевн|Плачевн|Повседневн|Ежедневн|Напевн|Гневн|Царевн|Королевн)[а-яё]*\b)
    (?:[А-ЯЁ][а-яё]+?(?:ов|ев)(?:ич(?:а|у|ем|е)?|н(?:а|ы|е|у|ой|ою))   # Сергеевич, Сергеевной
      |(?:Иль|Лук|Фом|Кузьм|Никит|Савв)ич(?:а|у|ем|е)?                 # Ильич, Никитича
      |(?:Ильин|Никит|Кузьмин|Фомин|Савв|Лукин)ичн(?:а|ы|е|у|ой|ою)     # Никитична
      |[А-ЯЁ][а-яё]+(?:-|{_SP})?(?:оглы|кызы|гызы|улы)                  # Гусейн оглы
    )\b
"""
# Capitalised words that often stand before a name but are not a surname («Мама Анна Сергеевна»).
_NOT_A_SURNAME = r"""
    (?!(?:Мама|Мать|Папа|Отец|Сын|Дочь|Дочка|Бабушка|Дедушка|Брат|Сестра|Тётя|Тетя|Дядя|Муж
        |Жена|Опекун|Опекунша|Ребёнок|Ребенок|Девочка|Мальчик|Подросток|Клиент|Клиентка
        |Специалист|Педагог|Психолог|Директор|Учитель|Учительница|Воспитатель|Гражданин
        |Гражданка|Сегодня|Вчера|Потом|Затем|Когда|Также|Тогда|Сначала)\b)
"""
_SURNAME_AFTER = rf"{_SP}(?!(?:Но|Или|Да|На|По)\b){_CAP}"
FULL_NAME_RE = re.compile(
    rf"""
    {_NO_LETTER_BEFORE}
    (?:{_NOT_A_SURNAME}{_CAP}{_SP}      # surname first: Петрова Анна Сергеевна, unless a
       (?={_CAP}{_SP}{_PATRONYMIC}(?!{_SURNAME_AFTER})))?  # surname follows (Пришла Анна…)
    {_CAP}{_SP}{_PATRONYMIC}            # name and patronymic: Анна Сергеевна
    (?:{_SURNAME_AFTER})?               # surname last: Анна Сергеевна Петрова
    """,
    re.VERBOSE,
)
_INITIALS = rf"[А-ЯЁ]\.{_SP0}[А-ЯЁ]\."
INITIALS_RE = re.compile(
    rf"""
    {_NO_LETTER_BEFORE}
    (?:{_CAP}{_SP}{_INITIALS}                                   # Иванов И. И.
      |{_INITIALS}{_SP0}[А-ЯЁ][а-яё]{{2,}}(?:-[А-ЯЁ][а-яё]+)?\b  # И.И. Иванов
    )
    """,
    re.VERBOSE,
)

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d\d"
_MONTH_NAMES = (
    r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
)
_BIRTH_SUFFIX = rf"""
    {_SP0}(?:г\.?{_SP0}р\.?(?![а-яё])      # г.р., г. р., гр.
            |года?{_SP}рождения
            |г\.{_SP0}рожд(?:ения|\.))
"""
DATE_RE = re.compile(
    rf"""
    (?:(?<![\d.]){_DAY}\.{_MONTH}\.(?:{_YEAR}|\d\d)(?!\d|\.\d)   # 12.03.1985, 12.03.85
      |(?<!\d){_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)  # 1985-03-12
      |(?<!\d){_DAY}{_SP}{_MONTH_NAMES}{_SP}{_YEAR}(?!\d)           # 12 марта 1985 г.
       (?:{_SP0}г\.|{_SP}года)?
    )
    (?P<birth>{_BIRTH_SUFFIX})?
    """,
    re.VERBOSE | re.IGNORECASE,
)
# Words just before a date that make it a date of birth.
BIRTH_CONTEXT_RE = re.compile(
    rf"(?:рожд|родил|д\.{_SP0}р\.|г\.{_SP0}р\.|\bд/р\b|\bдр\b)[^.!?\n]{{0,25}}$",
    re.VERBOSE | re.IGNORECASE,
)
BIRTH_YEAR_RE = re.compile(
    rf"""
    (?<!\d){_YEAR}(?!\d){_BIRTH_SUFFIX}                      # 1985 г.р., 2010 года рождения
    |(?:года?{_SP}рождения|г\.{_SP0}р\.|рожд\.|родил(?:ся|ась))  # год рождения: 1985
     [ \t\u00a0:—-]*(?:в{_SP})?{_YEAR}(?!\d)(?:{_SP0}(?:г\.|году?))?
    """,
    re.VERBOSE | re.IGNORECASE,
)

SNILS_RE = re.compile(r"(?<![\d+]) \d{3}[-\ ]\d{3}[-\ ]\d{3}[-\ ]\d{2} (?!\d)", re.VERBOSE)
ELEVEN_DIGITS_RE = re.compile(r"(?<![\d+])\d{11}(?!\d)")
SNILS_CONTEXT_RE = re.compile(r"снилс[^.!?\n]{0,25}$", re.IGNORECASE)

_PHONE_SEP = r"[ \t\u00a0()-]*"
PHONE_RE = re.compile(
    rf"""
    (?:\+{_SP0}7|(?<![\d+])[78])        # +7, 8 or 7
    (?P<number>(?:{_PHONE_SEP}\d){{10}})  # ten digits, with spaces, dashes, brackets between
    (?!{_PHONE_SEP}\d)                  # and no more digits
    """,
    re.VERBOSE,
)

PASSPORT_RE = re.compile(r"(?<![\d+]) (?:\d\d[ ]\d\d[ ]\d{6}|\d{4}[ ]\d{6}) (?!\d)", re.VERBOSE)
PASSPORT_CONTEXT_RE = re.compile(
    rf"""
    (?:паспорт|серия|серии)\D{{0,30}}?
    (?P<number>\d\d{_SP0}\d\d{_SP0}(?:(?:№|N|номер){_SP0})?\d{{6}})(?!\d)
    """,
    re.VERBOSE | re.IGNORECASE,
)

_STREET = r"""
    (?:ул\.|улиц(?:а|ы|е|у|ей)|пр-к?т\.?|просп\.|проспект(?:а|е|у|ом)?|пер\.
      |переул(?:ок|ка|ке|ку)|б-р|бульвар(?:а|е|у)?|наб\.|набережн(?:ая|ой|ую)|ш\.|шоссе
      |мкрн?\.?|микрорайон(?:а|е|у)?|пл\.|площад(?:ь|и|ью))
"""
_SETTLEMENT = rf"""
    (?:(?<!\d)(?<!\d{_SP[:-1]})г\.      # г. Томск, but not «2019 г. Мама…»
      |пгт\.?|пос\.|п\.|с\.|д\.|дер\.|город(?:а|е)?|сел[оае]|деревн(?:я|и|е|ю)
      |пос[её]л(?:ок|ка|ке))
"""
# A house or flat number, but not a count («2 комнаты», «5 лет», «45 кв. м»).
_NUMBER = rf"""
    \d+(?:[/-]?\d+)?(?:[а-я](?![а-яё]))?(?![\d/-])     # 5, 12а, 12/3
    (?!{_SP0}(?:комнат|человек|дет|ребён|ребен|взросл|этаж|час|раз|год|лет|месяц|недел|дн
              |кв\.?[ ]?м))
"""
_PLACE_NAME = rf"""
    (?:[А-ЯЁ][А-ЯЁа-яё-]*                               # Ленина
      |\d+(?:-?[а-я]{{1,2}})?{_SP}(?:лет|[А-ЯЁ][а-яё]+)  # 50 лет Октября, 2-я Пролетарская
    )(?:{_SP}[А-ЯЁ][А-ЯЁа-яё-]*){{0,2}}                 # Карла Маркса
    (?:,?{_SP0}{_NUMBER})?                               # a house number: Ленина 10
"""
ADDRESS_PART_RES = (
    # ул. Ленина, улица 50 лет Октября, проспект Мира, мкр. Солнечный
    re.compile(rf"{_NO_LETTER_BEFORE}{_STREET}{_SP0}{_PLACE_NAME}", re.VERBOSE),
    # г. Томск, с. Подгорное, д. Ивановка (a house number after «д.» is matched below)
    re.compile(
        rf"{_NOT_AFTER_T}{_NO_LETTER_BEFORE}{_SETTLEMENT}{_SP0}[А-ЯЁ][А-ЯЁа-яё-]+", re.VERBOSE
    ),
    # д. 5, д. 5а, д. 12/3, дом 7, в доме № 7, корп. 2, кв. 12, квартира 12; but not
    # «в квартире 2 комнаты» or «дом 1970 года»
    re.compile(
        rf"""
        {_NOT_AFTER_T}{_NO_LETTER_BEFORE}
        (?:д\.|дом|доме|корп\.|корпус|строение|кв\.|квартир(?:а|е|у|ы))
        {_SP0}(?:№{_SP0})?{_NUMBER}
        """,
        re.VERBOSE | re.IGNORECASE,
    ),
)
_ADDRESS_GAP_RE = re.compile(r"[ \t\u00a0,]*")

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")


def _messages() -> dict[str, str]:
    return {
        "full_name": _(
            "Похоже на ФИО с отчеством: замените инициалами или ролью («мама», «ребёнок 7 лет»)."
        ),
        "initials": _("Похоже на фамилию с инициалами: замените ролью («мама», «ребёнок 7 лет»)."),
        "birth_date": _("Похоже на дату рождения: укажите возраст."),
        "date": _(
            "Похоже на точную дату: если по ней можно узнать человека (рождение, суд, переезд), "
            "укажите возраст или только месяц и год."
        ),
        "snils": _("Похоже на СНИЛС."),
        "passport": _("Похоже на паспортные данные."),
        "phone": _("Похоже на номер телефона."),
        "address": _("Похоже на адрес: оставьте только тип населённого пункта."),
        "email": _("Похоже на адрес электронной почты."),
    }


# A candidate: (start, end, kind, message key)
_Span = tuple[int, int, str, str]


def find_personal_data(text: str) -> list[Finding]:
    """What in `text` (plain text or HTML) looks like personal data, in order of appearance.

    Identical fragments are reported once; at most MAX_FINDINGS findings are returned."""
    plain = html_to_text(text or "")
    if not plain:
        return []
    taken: list[tuple[int, int]] = []  # sorted, non-overlapping
    spans: list[_Span] = []
    for family in (
        _emails,
        _snils,
        _phones,
        _passports,
        _dates,
        _birth_years,
        _full_names,
        _initials,
        _addresses,
    ):
        for start, end, kind, key in family(plain):
            i = bisect.bisect_left(taken, (start, end))
            if (i and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end):
                continue  # an earlier family has reported (part of) this text
            taken.insert(i, (start, end))
            spans.append((start, end, kind, key))

    messages = _messages()
    findings: list[Finding] = []
    seen: set[str] = set()
    for start, end, kind, key in sorted(spans):
        fragment = " ".join(plain[start:end].split()).strip(" ,")
        if not fragment or fragment in seen:
            continue
        seen.add(fragment)
        findings.append(Finding(kind=kind, fragment=fragment, message=messages[key]))
        if len(findings) == MAX_FINDINGS:
            break
    return _with_refusals(findings)


NEVER_ANONYMOUS = frozenset({"snils", "passport", "phone", "email"})
IDENTIFY_TOGETHER = frozenset({"full_name", "birth_date"})  # a name and a date of birth


def _with_refusals(findings: list[Finding]) -> list[Finding]:
    """Mark the findings no confirmation can clear (see the module's docstring)."""
    kinds = {f.kind for f in findings}
    together = IDENTIFY_TOGETHER <= kinds
    never = _("Такие данные не бывают обезличенными: удалите их, иначе случай не отправить.")
    pair = _(
        "Имя вместе с датой рождения указывает на человека: удалите имя или дату, "
        "иначе случай не отправить."
    )
    marked = []
    for finding in findings:
        if finding.kind in NEVER_ANONYMOUS:
            finding = replace(finding, refusal=never)
        elif together and finding.kind in IDENTIFY_TOGETHER:
            finding = replace(finding, refusal=pair)
        marked.append(finding)
    return marked


def fingerprint(findings: list[Finding]) -> str:
    """A short signature of a set of findings, carried by the form that showed them. It is
    keyed with the site's secret, so a confirmation cannot be made up for findings never shown."""
    shown = "\n".join(sorted(f"{f.kind}:{f.fragment}" for f in findings))
    return salted_hmac("supervision.anonymity.fingerprint", shown).hexdigest()[:32]


@dataclass(frozen=True)
class Review:
    """What `review` found in a case, and why it cannot be saved yet (``error``: the form field
    it concerns and the message; None when it can be)."""

    findings: list[Finding] = field(default_factory=list)
    fingerprint: str = ""
    error: tuple[str, str] | None = None


def review(*, title: str, text: str, confirmed: bool, shown: str) -> Review:
    """Check a case before it is saved: by the form, and again by the service that saves it.

    ``confirmed`` is the author's «Я проверил(а)»; ``shown`` the fingerprint of the findings the
    form showed them (empty on a first submit). The case can be saved when it holds nothing that
    is never anonymous, the author confirmed, and any findings are those they were shown."""
    findings = find_personal_data(f"{text}\n{title}")
    signature = fingerprint(findings) if findings else ""
    if any(f.refusal for f in findings):
        error = (
            "text",
            _(
                "Случай не отправлен: в тексте есть данные, по которым человека узнают "
                "наверняка. Удалите отмеченные фрагменты."
            ),
        )
    elif findings and not confirmed:
        error = (
            "anonymised",
            _("Проверьте отмеченные фрагменты и подтвердите, что случай обезличен."),
        )
    elif findings and shown != signature:
        error = (
            "anonymised",
            _(
                "В тексте нашлись фрагменты, похожие на персональные данные, которых вы ещё "
                "не видели. Проверьте их и подтвердите ещё раз."
            ),
        )
    elif not confirmed:
        error = ("anonymised", _("Подтвердите, что случай обезличен."))
    else:
        error = None
    return Review(findings=findings, fingerprint=signature, error=error)


def _emails(text: str):
    """E-mail addresses: name@domain.zone, Cyrillic domains (почта@пример.рф) included."""
    for m in EMAIL_RE.finditer(text):
        yield m.start(), m.end(), "email", "email"


def _snils(text: str):
    """SNILS: «123-456-789 01» (dashes or spaces), or 11 digits in a row when «СНИЛС» is just
    before them or they cannot be a phone number (a phone starts with 7 or 8)."""
    for m in SNILS_RE.finditer(text):
        yield m.start(), m.end(), "snils", "snils"
    for m in ELEVEN_DIGITS_RE.finditer(text):
        near_word = SNILS_CONTEXT_RE.search(text[max(m.start() - 40, 0) : m.start()])
        if near_word or m.group()[0] not in "78":
            yield m.start(), m.end(), "snils", "snils"


def _phones(text: str):
    """Russian phone numbers: +7 or 8 (or 7) and ten more digits, with any spaces, dashes and
    brackets between them: «+7 (913) 123-45-67», «8-913-123-45-67», «8 (3822) 12-34-56». The
    code after the prefix has at least three digits, so a list of numbers («8 10 12 14 16 18
    лет») is not a phone."""
    for m in PHONE_RE.finditer(text):
        if len(re.findall(r"\d+", m.group("number"))[0]) >= 3:
            yield m.start(), m.end(), "phone", "phone"


def _passports(text: str):
    """Russian passport series and number: «45 06 123456» and «4506 123456» anywhere; after
    «паспорт» or «серия» also «4506123456» and «серия 4506 № 123456»."""
    for m in PASSPORT_CONTEXT_RE.finditer(text):
        yield m.start("number"), m.end("number"), "passport", "passport"
    for m in PASSPORT_RE.finditer(text):
        yield m.start(), m.end(), "passport", "passport"


def _dates(text: str):
    """Full dates: «12.03.1985», «12.03.85», «1985-03-12», «12 марта 1985 г.». A date of birth
    when followed by «г.р.» / «года рождения» or preceded by «рожд…», «родился», «д.р.»;
    any other full date is reported as a date that may identify someone."""
    for m in DATE_RE.finditer(text):
        birth = m.group("birth") or BIRTH_CONTEXT_RE.search(
            text[max(m.start() - 40, 0) : m.start()]
        )
        kind = "birth_date" if birth else "date"
        yield m.start(), m.end(), kind, kind


def _birth_years(text: str):
    """A year of birth: «1985 г.р.», «2010 года рождения», «год рождения 1985», «родился в
    2015 году». A year alone («в 2019 году») is not reported."""
    for m in BIRTH_YEAR_RE.finditer(text):
        yield m.start(), m.end(), "birth_date", "birth_date"


def _full_names(text: str):
    """Names with a patronymic, in any case: «Петрова Анна Сергеевна», «Анна Сергеевна Петрова»,
    «с Петровой Анной Сергеевной», «Анна Сергеевна», «Мамедов Эльдар Гусейн оглы». A patronymic
    ends in -ович/-евич/-овна/-евна (or is one of the old forms in -ич/-ична, «Ильич»,
    «Никитична») and follows a capitalised name; adjectives that look alike («Основной»,
    «Духовной») are not patronymics."""
    for m in FULL_NAME_RE.finditer(text):
        yield m.start(), m.end(), "full_name", "full_name"


def _initials(text: str):
    """A surname with two initials: «Иванов И. И.», «Иванова А.С.», «И.И. Иванов»."""
    for m in INITIALS_RE.finditer(text):
        yield m.start(), m.end(), "full_name", "initials"


def _addresses(text: str):
    """Addresses: a street («ул. Ленина», «улица 50 лет Октября», «проспект Мира», «пр-т»,
    «пер.», «мкр.»), a named settlement («г. Томск», «с. Подгорное», «д. Ивановка») or a house
    or flat number («д. 5», «дом 7», «кв. 12», «квартира 12»). Neighbouring parts separated only
    by commas and spaces are reported as one address. Words without a name or number after them
    («живут в районном центре», «на улице») are not reported."""
    parts = sorted(
        (m.start(), m.end()) for pattern in ADDRESS_PART_RES for m in pattern.finditer(text)
    )
    merged: list[list[int]] = []
    for start, end in parts:
        if merged and (
            start <= merged[-1][1] or _ADDRESS_GAP_RE.fullmatch(text, merged[-1][1], start)
        ):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        yield start, end, "address", "address"
