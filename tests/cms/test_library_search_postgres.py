"""Russian morphology in the library's search: PostgreSQL's full-text search with the Russian
configuration, as in production. Needs PostgreSQL (DATABASE_URL)."""

import pytest

from tests.factories import practice

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_word_forms_find_each_other_and_the_best_match_comes_first(postgres, client, library):  # noqa: F811
    practice(library, "Школа для опекуна", summary="Как подготовить опекуна к первой встрече.")
    practice(
        library,
        "Помощь семье",
        summary="Семья получает помощь вовремя; семья остаётся вместе.",
        what_was_done="<p>Работа с семьёй и с родственниками.</p>",
    )
    practice(library, "Наставники", summary="Выпускники интернатов и их наставники.")

    found = client.get("/library/?q=семьи").content.decode()
    assert "Помощь семье" in found
    assert "Наставники" not in found and "Школа для опекуна" not in found
    assert "<mark>Семья</mark>" in found

    found = client.get("/library/?q=опекуны").content.decode()
    assert "Школа для опекуна" in found and "Помощь семье" not in found
