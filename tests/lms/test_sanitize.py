"""lms.sanitize: the one allow-list sanitiser for user-written rich text, and its plain text."""

import pytest
from django.utils.safestring import SafeString

from lms.sanitize import LINK_REL, clean_html, clean_html_safe, html_to_text

REL = f'rel="{LINK_REL}"'


def assert_no_active_content(html: str) -> None:
    lowered = html.lower()
    for bad in (
        "<script",
        "<img",
        "<svg",
        "<iframe",
        "<style",
        "javascript:",
        "vbscript:",
        "data:",
        "onerror",
        "onload",
        "onclick",
        "style=",
        "alert(",
    ):
        assert bad not in lowered, (bad, html)


@pytest.mark.parametrize(
    ("dirty", "expected"),
    [
        ("<script>alert(1)</script>Текст", "Текст"),
        ('<p>До<script type="text/javascript">alert(1)</script>после</p>', "<p>Допосле</p>"),
        ("<img src=x onerror=alert(1)>", ""),
        ("<p>Картинка: <img src=x onerror=alert(1)></p>", "<p>Картинка: </p>"),
        ('<svg onload="alert(1)"><circle r="1"></circle></svg>Текст', "Текст"),
        ('<iframe src="https://evil.example/"></iframe><p>Текст</p>', "<p>Текст</p>"),
        ("<style>p { color: red }</style><p>Текст</p>", "<p>Текст</p>"),
        ('<p style="color: red; background: url(javascript:alert(1))">Текст</p>', "<p>Текст</p>"),
        ('<p onclick="alert(1)">Текст</p>', "<p>Текст</p>"),
        ('<p onmouseover="alert(1)" class="x" id="y">Текст</p>', "<p>Текст</p>"),
        ("<p><!-- комментарий -->Текст</p>", "<p>Текст</p>"),
        ("<div><span>Текст</span></div>", "Текст"),
        ('<form action="/x"><input name="a">Текст</form>', "Текст"),
        ("<textarea><p>не текст</p></textarea>Текст", "Текст"),
        ("<h1>Заголовок</h1>", "Заголовок"),
    ],
)
def test_disallowed_content_is_neutralised(dirty, expected):
    cleaned = clean_html(dirty)
    assert cleaned == expected
    assert_no_active_content(cleaned)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "jav&#9;ascript:alert(1)",
        "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
        "java\nscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:text/html,<script>alert(1)</script>",
        "DATA:text/html,x",
        "vbscript:msgbox(1)",
        "ftp://example.org/file",
    ],
)
def test_dangerous_link_addresses_are_dropped(href):
    cleaned = clean_html(f'<a href="{href}">ссылка</a>')
    assert cleaned == f"<a {REL}>ссылка</a>"
    assert_no_active_content(cleaned)


@pytest.mark.parametrize(
    "href",
    ["https://example.org/путь?a=1&amp;b=2", "http://example.org", "mailto:info@example.org"],
)
def test_safe_link_addresses_are_kept_with_rel(href):
    cleaned = clean_html(f'<a href="{href}" title="Подсказка">ссылка</a>')
    assert cleaned == f'<a href="{href}" title="Подсказка" {REL}>ссылка</a>'


def test_rel_is_forced_and_other_link_attributes_dropped():
    cleaned = clean_html(
        '<a href="https://example.org" rel="opener" target="_blank" onclick="x()">ссылка</a>'
    )
    assert cleaned == f'<a href="https://example.org" {REL}>ссылка</a>'


def test_allowed_formatting_survives_exactly():
    html = (
        "<h2>Запрос</h2>"
        "<p><strong>Жирный</strong>, <b>b</b>, <em>курсив</em>, <i>i</i>, <u>подчёркнутый</u>, "
        "<s>зачёркнутый</s><br>новая строка</p>"
        "<h3>Ход работы</h3><h4>Этап 1</h4>"
        "<ul><li>первый</li><li>второй</li></ul>"
        "<ol><li>раз</li><li>два</li></ol>"
        "<blockquote>Цитата</blockquote>"
        '<table><thead><tr><th colspan="2">Заголовок</th></tr></thead>'
        '<tbody><tr><td rowspan="2">1</td><td>2</td></tr><tr><td>3</td></tr></tbody></table>'
    )
    assert clean_html(html) == html


def test_table_spans_must_be_small_numbers():
    html = '<table><tbody><tr><td colspan="x" rowspan="99999">1</td></tr></tbody></table>'
    assert clean_html(html) == "<table><tbody><tr><td>1</td></tr></tbody></table>"


def test_cyrillic_and_special_characters_intact():
    text = "<p>Съешь же ещё этих мягких французских булок, да выпей чаю. Ё — «ёлка» &amp; №5</p>"
    assert clean_html(text) == text
    assert clean_html("Просто текст: 5 < 7 & «кавычки»") == (
        "Просто текст: 5 &lt; 7 &amp; «кавычки»"
    )


@pytest.mark.parametrize(
    "html",
    [
        "<p>Абзац <b>жирный</b></p>",
        '<a href="https://example.org">ссылка</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        "<script>alert(1)</script><p onclick=x>a &amp; b &lt; c &nbsp; d</p>",
        "<p>незакрытый <b>тег",
        "<scr<script>ipt>alert(1)</script>",
        "<table><tr><td>без tbody</td></tr></table>",
        "5 < 7 > 3 & «ёлка»",
        "<ul><li>a<li>b</ul>",
    ],
)
def test_idempotent(html):
    once = clean_html(html)
    assert clean_html(once) == once


def test_empty_and_none():
    assert clean_html("") == ""
    assert clean_html(None) == ""


def test_clean_html_safe_is_marked_safe_and_clean():
    result = clean_html_safe('<p onclick="x">Текст</p><script>alert(1)</script>')
    assert isinstance(result, SafeString)
    assert result == "<p>Текст</p>"


def test_html_to_text_block_elements_become_line_breaks():
    html = (
        "<h2>Запрос</h2><p>Мама &laquo;устала&raquo;,<br>просит   помощи.</p>"
        "<ul><li>первое</li><li>второе</li></ul><ol><li>раз</li><li>два</li></ol>"
        "<table><tr><th>Кто</th><th>Возраст</th></tr><tr><td>сын</td><td>7</td></tr></table>"
        '<p><a href="https://example.org">сайт</a> и <a href="javascript:x()">это</a></p>'
        "<script>alert(1)</script><style>p {}</style>"
    )
    assert html_to_text(html) == (
        "Запрос\n\n"
        "Мама «устала»,\nпросит помощи.\n\n"
        "- первое\n- второе\n\n"
        "1. раз\n2. два\n\n"
        "Кто | Возраст\nсын | 7\n\n"
        "сайт (https://example.org) и это"
    )


def test_html_to_text_of_plain_text_and_empty():
    assert html_to_text("Просто текст & ещё") == "Просто текст & ещё"
    assert html_to_text("") == ""
    assert html_to_text(None) == ""
    assert html_to_text('<a href="mailto:a@example.org">a@example.org</a>') == "a@example.org"
