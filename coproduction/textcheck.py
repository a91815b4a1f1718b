"""Checks for free text typed into the app (notes, information sheets, deny-list terms)."""

import unicodedata

from django.core.exceptions import ValidationError


def validate_readable_text(value: str) -> None:
    """Refuse text the browser could not send intact: replacement characters (bytes that were
    not UTF-8), lone surrogates, NUL and other control characters except tab and newlines."""
    for character in value:
        if character == "\ufffd" or unicodedata.category(character) == "Cs":
            raise ValidationError("The text contains characters that could not be read. Retype or paste it again as plain text.")
        if unicodedata.category(character) == "Cc" and character not in "\t\n\r":
            raise ValidationError("The text contains control characters. Remove them and save again.")
