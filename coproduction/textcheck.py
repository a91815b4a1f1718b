"""Checks for free text typed into the app (notes, information sheets, deny-list terms)."""

import re

from django.core.exceptions import ValidationError

# Unicode's categories, as character classes (one regex pass, not a lookup per character):
# Cs (surrogates) is U+D800–DFFF; Cc (controls) is U+0000–001F and U+007F–009F.
UNREADABLE = re.compile("[\ufffd\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_readable_text(value: str) -> None:
    """Refuse text the browser could not send intact: replacement characters (bytes that were
    not UTF-8), lone surrogates, NUL and other control characters except tab and newlines."""
    unreadable, control = UNREADABLE.search(value), CONTROL.search(value)
    first = min((m for m in (unreadable, control) if m), key=lambda m: m.start(), default=None)
    if first is None:
        return
    if first is unreadable:
        raise ValidationError("The text contains characters that could not be read. Retype or paste it again as plain text.")
    raise ValidationError("The text contains control characters. Remove them and save again.")
