"""People's names as they are stored and printed.

`clean_name` is applied wherever a name is saved (the `NameField` model field and its form
field): Unicode NFC, no control or format characters (right-to-left overrides, zero-width
spaces, soft hyphens would otherwise reach certificates and lists invisibly, or reorder what
they show), any kind of space as one plain space.

A Russian document says «прошла» or «прошёл», not «прошёл(а)»: `gender_from_patronymic`
proposes the form from the patronymic, the person may set it themselves
(`User.document_gender`), and `in_gender` puts a text written in the neutral «(а)» form into
theirs.
"""

import re
import unicodedata

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

# Unicode categories dropped from names: format (bidi controls, zero-width characters, soft
# hyphen), private use, surrogates and unassigned code points. Controls (tabs, newlines) and
# separators become spaces.
_DROPPED = frozenset({"Cf", "Co", "Cs", "Cn"})
_AS_SPACE = frozenset({"Cc", "Zs", "Zl", "Zp"})


def clean_saved(model, fields) -> None:
    """Clean what ``fields`` of ``model`` already hold: for the data migration that puts
    NameField on fields whose rows were saved before (``model`` is its historical model)."""
    for row in model.objects.only("pk", *fields).iterator():
        changed = [f for f in fields if clean_name(getattr(row, f)) != getattr(row, f)]
        for f in changed:
            setattr(row, f, clean_name(getattr(row, f)))
        if changed:
            row.save(update_fields=changed)


def clean_name(value):
    """``value`` in NFC, without invisible characters, spaces collapsed and stripped."""
    if not isinstance(value, str):
        return value
    characters = []
    for character in unicodedata.normalize("NFC", value):
        category = unicodedata.category(character)
        if category in _AS_SPACE:
            characters.append(" ")
        elif category not in _DROPPED:
            characters.append(character)
    return " ".join("".join(characters).split())


class NameFormField(forms.CharField):
    def to_python(self, value):
        return clean_name(super().to_python(value))


class NameField(models.CharField):
    """A name: cleaned on every way into the database (save, bulk_create, update, lookups)
    and in forms, so what was typed invisibly never reaches a list or a certificate."""

    def pre_save(self, model_instance, add):
        value = clean_name(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return clean_name(super().get_prep_value(value))

    def to_python(self, value):
        return clean_name(super().to_python(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NameFormField, **kwargs})


class Gender(models.TextChoices):
    """The grammatical form of words about a person in documents («прошла», «прошёл»)."""

    FEMININE = "f", _("женская: «прошла обучение»")
    MASCULINE = "m", _("мужская: «прошёл обучение»")
    NEUTRAL = "n", _("нейтральная: «прошёл(а) обучение»")


_FEMININE_ENDINGS = ("вна", "чна", "кызы", "гызы")
_MASCULINE_ENDINGS = ("вич", "ич", "оглы", "улы", "уулу")


def gender_from_patronymic(name: str) -> str:
    """The form a patronymic suggests: ``f`` for -вна/-чна/кызы, ``m`` for -вич/-ич/оглы,
    else ``n``. ``name`` is a patronymic or a whole ФИО (its last words are read)."""
    words = clean_name(name or "").lower().replace("-", " ").split()
    for word in reversed(words[-2:]):
        if word.endswith(_FEMININE_ENDINGS):
            return Gender.FEMININE
        if word.endswith(_MASCULINE_ENDINGS):
            return Gender.MASCULINE
    return Gender.NEUTRAL


# A word in the neutral form: «прошёл(а)», «прошёл(-ла)», «принял(а)», «зачислен(а)».
_NEUTRAL_WORD = re.compile(r"([А-Яа-яЁё]+)\((?:-?л)?а\)")


def in_gender(text: str, gender: str) -> str:
    """``text`` with its neutral «…(а)» words in ``gender``'s form: «прошёл(а)» becomes
    «прошла» or «прошёл»; in the neutral form the text stays as it is."""
    if gender == Gender.FEMININE:
        return _NEUTRAL_WORD.sub(lambda m: _feminine(m.group(1)), text)
    if gender == Gender.MASCULINE:
        return _NEUTRAL_WORD.sub(lambda m: m.group(1), text)
    return text


def _feminine(word: str) -> str:
    if word.endswith("ёл"):  # прошёл → прошла, нашёл → нашла
        return word[:-2] + "ла"
    return word + "а"  # принял → приняла, зачислен → зачислена
