"""`{{ field|options }}` and `{{ field|checkbox_items }}`: a choice field's options rendered in
Python. A codebook of 2,000 themes or a part of 1,000 sentences made the template loop (one
`field.value` lookup and two filters per option) the slowest thing on the theme list and the
coding page."""

from django import template

from coproduction.markup import markup, markup_join

register = template.Library()


def _chosen(field) -> set[str]:
    value = field.value()
    if value is None:
        return set()
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


@register.filter
def options(field) -> str:
    """The `<option>` elements of a select, the current value selected."""
    chosen = _chosen(field)
    return markup_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) in chosen else "", label) for value, label in field.field.choices),
    )


@register.filter
def checkbox_items(field) -> str:
    """GOV.UK checkbox items for a multiple choice, the current values checked."""
    chosen = _chosen(field)
    name = field.html_name
    return markup_join(
        "\n",
        '<div class="govuk-checkboxes__item">'
        '<input class="govuk-checkboxes__input" id="id_{}_{}" name="{}" type="checkbox" value="{}"{}>'
        '<label class="govuk-label govuk-checkboxes__label" for="id_{}_{}">{}</label></div>',
        (
            (name, i, name, value, " checked" if str(value) in chosen else "", name, i, label)
            for i, (value, label) in enumerate(field.field.choices)
        ),
    )


@register.simple_tag
def swatch(colour: str) -> str:
    """A theme's colour as a small square (decorative: the theme's name is beside it)."""
    return markup(
        '<svg class="cg-theme-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">'
        '<rect width="14" height="14" rx="2" fill="{}"/></svg>',
        colour,
    )
