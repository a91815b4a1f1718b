"""`{{ n|counted:"passage" }}`: "1 passage", "3 passages", and "<10 passages" for a suppressed
count (Django's `pluralize` leaves "<10" singular)."""

from django import template

register = template.Library()


@register.filter
def counted(value, nouns: str) -> str:
    """`nouns` is "passage" (plural adds s) or "person,people"."""
    singular, _, plural = nouns.partition(",")
    plural = plural or f"{singular}s"
    return f"{value} {singular if str(value).strip() == '1' else plural}"
