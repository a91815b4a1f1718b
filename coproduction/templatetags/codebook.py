"""The codebook's rows and the coding page's cards, drawn in Python.

`{% codebook_rows rows project blind %}`: the codebook shows fifty top-level themes a page with
all their sub-themes, often a hundred rows; drawn by the template loop (a swatch, an address, a
name, a description and three counts each) they were 40% of the page's time at national scale.
`{% coded_passage_cards excerpts project is_analyst %}`: a part of a long document holds up to
fifty coded passages a page, whose cards were half of the coding page's time. The markup is the
template's.
"""

import unicodedata

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from coproduction.markup import markup, markup_join
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
        description = markup(DESCRIPTION, theme.description) if theme.description else ""
        counts = "" if blind else markup(COUNTS, row.excerpts, row.documents, row.participants)
        return (row.depth, swatch(theme.colour), address, theme.name, description, counts)

    return markup_join("\n", ROW, (cells(row) for row in rows))


CARD = (
    '<div class="govuk-summary-card" id="excerpt-{pk}">\n'
    '  <div class="govuk-summary-card__title-wrapper"><h3 class="govuk-summary-card__title">“{quote}”</h3></div>\n'
    '  <div class="govuk-summary-card__content">\n'
    '    <dl class="govuk-summary-list">\n'
    '      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Themes</dt>'
    '<dd class="govuk-summary-list__value">{themes}</dd></div>\n'
    '      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Coded by</dt>'
    '<dd class="govuk-summary-list__value">{coder}, {coded_at}</dd></div>\n'
    '      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Where</dt>'
    '<dd class="govuk-summary-list__value">Characters {start} to {end}{quoted}</dd></div>\n'
    "      {memos}\n"
    "    </dl>\n"
    '    <form method="post" action="{action}" novalidate>'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">\n'
    '      <div class="govuk-form-group">\n'
    '        <label class="govuk-label" for="memo-{pk}">Memo on this passage</label>\n'
    '        <textarea class="govuk-textarea" id="memo-{pk}" name="text" rows="2"></textarea>\n'
    "      </div>\n"
    '      <div class="govuk-button-group">\n'
    '        <button class="govuk-button govuk-button--secondary" name="action" value="memo" data-module="govuk-button">'
    "Add memo</button>\n"
    "        {report}\n"
    "        {remove}\n"
    "      </div>\n"
    "    </form>\n"
    "  </div>\n"
    "</div>"
)
MEMO = (
    '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Memo</dt>'
    '<dd class="govuk-summary-list__value">{} <span class="govuk-body-s">({})</span></dd></div>'
)
CHOOSE = (
    '<button class="govuk-button govuk-button--secondary" name="action" value="choose" data-module="govuk-button">'
    "Quote in the report</button>"
)
UNCHOOSE = (
    '<button class="govuk-button govuk-button--secondary" name="action" value="unchoose" data-module="govuk-button">'
    "Leave out of the report</button>"
)
REMOVE = (
    '<button class="govuk-button govuk-button--warning" name="action" value="remove" data-module="govuk-button">'
    "Remove coding</button>"
)


def _shortened(text: str, length: int) -> str:
    """As `|truncatechars:length`: Truncator's character walk only for a text that could be too
    long (normalised, a text is never longer than it was)."""
    if text.isascii():  # no combining characters, nothing to normalise: Truncator's result
        return text if len(text) <= length else f"{text[: length - 1]}…"
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


def _when(moment) -> str:
    """As `|date:"j M Y H:i"` in the project's time zone ("3 Dec 2026 18:30"), without the
    general formatter's per-letter dispatch (fifty cards a page)."""
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS_3[local.month].title()} {local.year} {local:%H:%M}"


@register.simple_tag(takes_context=True)
def coded_passage_cards(context, excerpts, project, is_analyst: bool) -> str:
    """The coding page's cards for its page of coded passages (a part can hold fifty): each
    passage's quote, themes, coder, place, memos and its form (memo, report, removal)."""
    user = context["user"]
    csrf = context.get("csrf_token", "")

    def card(excerpt) -> str:
        themes = markup_join(", ", "{}{}", ((swatch(colour), name) for colour, name in excerpt.themes))
        memos = markup_join("", MEMO, ((linebreaksbr(text, autoescape=True), author) for text, author in excerpt.memos))
        report = (UNCHOOSE if excerpt.chosen_for_report else CHOOSE) if is_analyst else ""
        return markup(
            CARD,
            pk=excerpt.pk,
            quote=_shortened(excerpt.quote, 120),
            themes=themes,
            coder=excerpt.coder,
            coded_at=_when(excerpt.created_at),
            start=excerpt.start,
            end=excerpt.end,
            quoted=" · quoted in the report" if excerpt.chosen_for_report else "",
            memos=memos,
            action=remembered_reverse("analysis:excerpt", [], {"slug": project.slug, "pk": excerpt.pk}, None),
            csrf=csrf,
            report=mark_safe(report),  # noqa: S308 — fixed markup
            remove=mark_safe(REMOVE if excerpt.coder_id == user.pk else ""),  # noqa: S308 — fixed markup
        )

    return mark_safe("\n".join(card(excerpt) for excerpt in excerpts))  # noqa: S308 — each card built by format_html
