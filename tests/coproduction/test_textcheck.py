"""The readable-text check is two regular expressions standing for Unicode categories; they must
refuse exactly what the categories say, and name the first problem in the text."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from coproduction.textcheck import validate_readable_text

UNREADABLE = "could not be read"
CONTROL = "control characters"


def by_category(text: str) -> str | None:
    """The check as first written: one category lookup per character."""
    for character in text:
        if character == "\ufffd" or unicodedata.category(character) == "Cs":
            return UNREADABLE
        if unicodedata.category(character) == "Cc" and character not in "\t\n\r":
            return CONTROL
    return None


def refusal(text: str) -> str | None:
    try:
        validate_readable_text(text)
    except ValidationError as error:
        return UNREADABLE if UNREADABLE in error.messages[0] else CONTROL
    return None


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40))
def test_it_refuses_what_the_unicode_categories_refuse_and_names_the_first_problem(text):
    assert refusal(text) == by_category(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lamps out by the canal.\tAgain\r\n", None),
        ("Café, naïve, 🙂, مرحبا", None),
        ("a\x00b", CONTROL),
        ("a\x85b", CONTROL),  # NEXT LINE, a C1 control
        ("bad \ufffd byte", UNREADABLE),
        ("lone \ud800 surrogate", UNREADABLE),
        ("\x07 then \ufffd", CONTROL),
        ("\ufffd then \x07", UNREADABLE),
    ],
)
def test_examples(text, expected):
    assert refusal(text) == expected


def test_a_long_note_is_checked_in_one_pass():
    assert refusal("Lamps out by the canal. " * 50_000) is None
    assert refusal("Lamps out by the canal. " * 50_000 + "\x00") == CONTROL
