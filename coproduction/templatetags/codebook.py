"""`{% codebook_rows rows project blind %}`: the theme list's rows, drawn in Python.

The codebook shows fifty top-level themes a page with all their sub-themes, often a hundred
rows; drawn by the template loop (a swatch, an address, a name, a description and three
counts each) they were 40% of the page's time at national scale. The markup is the same.
"""

from django import template
from django.utils.html import format_html, format_html_join

from coproduction.templatetags.choices import swatch
from coproduction.templatetags.urls import remembered_reverse

register = template.Library()

ROW = (
    '<tr class="govuk-table__row"><td class="govuk-table__cell cg-depth-{}">{}<a class="govuk-link" href="{}">{}</a>{}</td>'
    "{}</tr>"
)
DESCRIPTION = '\n<span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">{}</span>'
COUNTS = (
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Passages">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Documents">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Participants">{}</td>'
)


@register.simple_tag
def codebook_rows(rows, project, blind: bool) -> str:
    """One table row per theme: its colour, a link to it, its description and (unless the reader
    is coding blind) its passage, document and participant counts."""

    def cells(row):
        theme = row.theme
        address = remembered_reverse("analysis:theme", [], {"slug": project.slug, "pk": theme.pk}, None)
        description = format_html(DESCRIPTION, theme.description) if theme.description else ""
        counts = "" if blind else format_html(COUNTS, row.excerpts, row.documents, row.participants)
        return (row.depth, swatch(theme.colour), address, theme.name, description, counts)

    return format_html_join("\n", ROW, (cells(row) for row in rows))
