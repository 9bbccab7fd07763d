"""Search terms: how the library's text and its readers' queries are turned into words the
search index compares, the same way on SQLite and on PostgreSQL.

Russian morphology is done here, once, in Python, not by the database: the index is fed each
page's text as terms (``NormalisedSearchField``), a query becomes terms by the same ``terms``
before it is handed to Wagtail's backend (cms.library.search_ids), and the highlight marks the
words whose ``term`` is one of the query's (cms.library.highlight). One function for the three,
so what is found, what is asked and what is marked cannot drift apart.

A term is one word (letters and digits) in lower case, with ё as е, stemmed by Snowball's
Russian stemmer («семьями», «семьёй», «семей» → «сем»), the fleeting vowel of a final -ок, -ек or
-ец dropped, which Snowball keeps («ребёнок» → «ребенк», as «ребенка»; «девушек» as «девушка»),
and no diacritic left.

Why the backend is then told not to do morphology itself (``SEARCH_CONFIG = "simple"`` in
lms/settings/base.py): SQLite's full-text search has no Russian stemming at all, and
PostgreSQL's ``russian`` configuration would stem our terms a second time with its own copy of
Snowball (not always the version installed here, and a stem stemmed again is not always
itself: «замеща» → «замещ») and drop its stop words from the text and from the query («и»,
«как», «все»), which SQLite keeps. With ``simple`` PostgreSQL only lower-cases (they already
are), and SQLite's ``unicode61`` tokenizer only folds case and Latin diacritics (there are
none left); both split our terms at the spaces we join them with. So both databases see the
same words and find the same pages; only their scores for ranking differ.
"""

import functools
import re
import unicodedata

import snowballstemmer
from wagtail.search import index

# A word: letters and digits, and the combining marks of a decomposed «ё» or «й» (text pasted
# from a PDF), which ``term`` composes. Not the underscore, which SQLite splits words at.
WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")
_FLEETING = ("ок", "ек", "ец")
_stemmer = snowballstemmer.stemmer("russian")


@functools.lru_cache(maxsize=100_000)  # pure Python, and words repeat
def term(word: str) -> str:
    """The search term of one ``word`` (see the module's docstring); "" for none."""
    word = unicodedata.normalize("NFC", word).lower().replace("ё", "е")
    stem = _stemmer.stemWord(word)
    if len(stem) >= 4 and stem[-2:] in _FLEETING:
        stem = stem[:-2] + stem[-1]
    decomposed = unicodedata.normalize("NFD", stem)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def terms(text: str) -> list[str]:
    """The terms of ``text``'s words, in order."""
    return [found for word in WORD.findall(text) if (found := term(word))]


def normalise(text: str) -> str:
    """``text`` as the index and the backend get it: its terms, separated by spaces."""
    return " ".join(terms(text))


class NormalisedSearchField(index.SearchField):
    """A SearchField whose value reaches the index as terms (``normalise``). Keeps its name,
    so ``title`` stays the index's title (ranked above the body), and its boost."""

    def get_value(self, obj):
        value = super().get_value(obj)
        if isinstance(value, list | tuple):
            value = " ".join(str(part) for part in value)
        return normalise(str(value or ""))
