"""The platform's one HTML sanitiser for user-written rich text (supervision case texts, practice
submissions, anything a user types into a rich-text box and others later see).

Everything is decided by an allow-list: the tags, attributes and link protocols below. Anything
else is removed: disallowed tags are stripped (their text is kept, except for elements such as
<script>, <style> or <iframe>, whose content is never text a person wrote and is dropped with
them), comments go, every attribute not listed goes (so every on* event handler and every style),
and a link whose address is not http, https or mailto loses its href. bleach decodes entities and
ignores case and embedded whitespace before it checks the protocol, so «jav&#x09;ascript:» and
«JaVaScRiPt:» are caught too. Every remaining link gets rel="nofollow noopener noreferrer".

Use `clean_html` when storing or rendering user HTML, `clean_html_safe` in a template context
(it is the only place where user HTML is marked safe), and `html_to_text` for e-mails, PDFs and
search.
"""

import re
import threading
from html.parser import HTMLParser

import bleach
from bleach import html5lib_shim
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h2",
        "h3",
        "h4",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ("href", "title", "rel"),  # rel is always overwritten with LINK_REL
    "th": ("colspan", "rowspan"),
    "td": ("colspan", "rowspan"),
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

# Elements removed together with their content: what is inside them is code, styling or form
# state, never text the author wrote (a paste from Word brings a <style> block, for example).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "noscript",
        "noembed",
        "noframes",
        "textarea",
        "select",
        "title",
        "svg",
        "math",
    }
)
_SPAN_VALUE = re.compile(r"[1-9]\d{0,2}")  # colspan / rowspan: 1..999


class _DropContentFilter(html5lib_shim.Filter):
    """Before sanitising: drop DROPPED_WITH_CONTENT elements and everything inside them."""

    def __iter__(self):
        depth = 0
        for token in super().__iter__():
            kind = token["type"]
            name = (token.get("name") or "").lower()
            if name in DROPPED_WITH_CONTENT and kind in ("StartTag", "EndTag", "EmptyTag"):
                if kind == "StartTag":
                    depth += 1
                elif kind == "EndTag":
                    depth = max(depth - 1, 0)
                continue
            if not depth:
                yield token


class _LinkFilter(html5lib_shim.Filter):
    """After sanitising: force rel on links and keep only sane table spans."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag"):
                name = token["name"]
                if name == "a":
                    attrs = {k: v for k, v in token["data"].items() if k != (None, "rel")}
                    attrs[(None, "rel")] = LINK_REL
                    token["data"] = attrs
                elif name in ("td", "th"):
                    token["data"] = {
                        k: v
                        for k, v in token["data"].items()
                        if k not in ((None, "colspan"), (None, "rowspan"))
                        or _SPAN_VALUE.fullmatch(v.strip())
                    }
            yield token


class _Cleaner(bleach.Cleaner):
    """bleach.Cleaner that lets DROPPED_WITH_CONTENT elements reach the tree so that
    _DropContentFilter can remove their content (bleach's own strip keeps the text of a stripped
    element). The sanitiser itself still sees only ALLOWED_TAGS: if the drop filter missed
    something, bleach would strip the tag as usual."""

    def __init__(self):
        super().__init__(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_LinkFilter],
        )
        self.parser = html5lib_shim.BleachHTMLParser(
            tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
            strip=True,
            consume_entities=False,
            namespaceHTMLElements=False,
        )
        walker = self.walker
        self.walker = lambda tree: _DropContentFilter(walker(tree))


_local = threading.local()  # bleach's parser keeps state: one cleaner per thread


def _cleaner() -> _Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _Cleaner()
    return cleaner


def clean_html(text: str) -> str:
    """Return `text` with everything outside the allow-list removed (None gives "").

    Idempotent: cleaning the result again returns it unchanged."""
    if not text:
        return ""
    return _cleaner().clean(str(text))


def clean_html_safe(text: str) -> SafeString:
    """`clean_html(text)` marked safe for templates.

    This is the only place where user-written HTML may be passed to mark_safe: anything else that
    needs to render user HTML calls this function (or the template filter built on it) instead of
    marking the raw text safe itself."""
    return mark_safe(clean_html(text))  # noqa: S308 - sanitised by the allow-list just above


# --- plain text ---------------------------------------------------------------------------

_PARAGRAPH_TAGS = frozenset(
    {
        "p",
        "div",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "table",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "address",
        "figure",
        "figcaption",
        "dl",
        "hr",
        "main",
        "form",
        "fieldset",
    }
)
_LINE_TAGS = frozenset({"br", "li", "tr", "dt", "dd", "caption"})
_CELL_TAGS = frozenset({"td", "th"})
_SPACES = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.lists: list[list] = []  # per open list: [ordered, next number]
        self.cell_in_row = 0
        self.links: list[tuple[str | None, int]] = []  # open <a>: (safe href, first part)

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
            if tag in ("ul", "ol"):
                self.lists.append([tag == "ol", 1])
        elif tag == "li":
            self.parts.append("\n")
            if self.lists and self.lists[-1][0]:
                self.parts.append(f"{self.lists[-1][1]}. ")
                self.lists[-1][1] += 1
            else:
                self.parts.append("- ")
        elif tag in _LINE_TAGS:
            self.parts.append("\n")
            if tag == "tr":
                self.cell_in_row = 0
        elif tag in _CELL_TAGS:
            if self.cell_in_row:
                self.parts.append(" | ")
            self.cell_in_row += 1
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            scheme = href.split(":", 1)[0].lower() if ":" in href else ""
            self.links.append((href if scheme in ALLOWED_PROTOCOLS else None, len(self.parts)))

    def handle_startendtag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            return
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in DROPPED_WITH_CONTENT:
            self.skip_depth = max(self.skip_depth - 1, 0)
            return
        if self.skip_depth:
            return
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
        elif tag == "caption":
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            if href:
                label = _SPACES.sub(" ", "".join(self.parts[start:])).strip()
                address = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
                if label not in (href, address):
                    self.parts.append(f" ({address})")

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, for e-mails, PDFs and search.

    Paragraphs, headings, lists and tables are separated by a blank line, list items, table rows
    and <br> start a new line (items are prefixed with «- » or «1. »), table cells are separated
    by « | », and a link's address follows its text in brackets. Entities are decoded and runs of
    whitespace collapsed; script and style content is dropped. The result is text, not HTML: escape
    it before putting it into HTML again."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(str(html))
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
