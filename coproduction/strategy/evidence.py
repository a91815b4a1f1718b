"""“Why we are doing this”: the evidence behind an action, from the coded corpus.

For each theme an action answers: how many excerpts and how many participants of each cohort
raised it, and up to three quotes that may be shown.

Rules, and where they come from:

- Counts come from `coproduction.analysis.counts.codings_of`, so participants who withdrew are
  never counted (their Documents are deleted on withdrawal; the filter is a second guard).
- Documents from engagement events (source "event", no participant) record the room, not the
  people in it: their excerpts are counted on a row of their own ("At engagement events") and
  add nobody to the participant counts, as in the theme × cohort matrix.
- With `publication=True` every count from 1 to threshold−1 is shown as "<threshold", and the
  secondary suppression of `coproduction.analysis.suppression` is applied down each column
  (cohort rows and their total), so the total cannot give a hidden cell away.
- Quotes: only from participants whose CURRENT consent lets anonymous quotes be published
  (`analysis.counts.with_publishable_quotes`, the rule the theme report uses), in both modes,
  since the action page may itself be published. An event Document carries no individual
  consent: its quotes are shown only when the event's ground rules told the room that what is
  said may be quoted without a name (`Event.ground_rules_allow_quotes`), and never otherwise.
  Excerpts chosen for the theme report come first. A quote is shown with its cohort only:
  never a participant code, a date or a coder.

Each call runs a fixed number of queries however many themes, excerpts or quotes there are.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, F, Q, Value, When, Window
from django.db.models.functions import RowNumber

from coproduction.analysis.counts import codings_of, with_publishable_quotes
from coproduction.analysis.suppression import suppress_small_counts
from coproduction.models import Action, Theme
from coproduction.models.codebook import theme_paths

QUOTES_PER_THEME = 3
# An event Document's quotes, when the event's ground rules allowed them. (Once
# `with_publishable_quotes` applies the same rule itself, this half is redundant, not wrong.)
EVENT_ALLOWS_QUOTES = Q(excerpt__document__participant__isnull=True, excerpt__document__event__ground_rules_allow_quotes=True)
EVENTS_LABEL = "At engagement events"


@dataclass(frozen=True)
class EvidenceRow:
    """One row of a theme's table; counts are labels ("12", "<10", or "" when not counted)."""

    label: str
    excerpts: str
    participants: str


@dataclass(frozen=True)
class Quote:
    text: str
    cohort: str


@dataclass
class ThemeEvidence:
    theme: Theme
    path: str
    rows: list[EvidenceRow]
    total: EvidenceRow
    quotes: list[Quote] = field(default_factory=list)
    has_excerpts: bool = False


def _labels(values: list[int], threshold: int, publication: bool) -> list[str]:
    """Labels for a column of counts and, last, their total."""
    if publication:
        return suppress_small_counts([values], threshold)[0]
    return [str(v) for v in values] + [str(sum(values))]


def evidence_for(action: Action, *, publication: bool) -> list[ThemeEvidence]:
    """The evidence for each theme the action answers, in codebook order. Four queries."""
    project = action.project
    threshold = project.small_number_threshold
    themes = list(project.themes.all())
    linked = set(action.themes.filter(project=project).values_list("pk", flat=True))
    chosen = sorted((t for t in themes if t.pk in linked), key=lambda t: (t.order, t.name.lower(), t.pk))
    if not chosen:
        return []
    paths = theme_paths(themes)

    codings = codings_of(project).filter(theme__in=linked)
    counted = (
        codings.annotate(
            from_event=Case(
                When(excerpt__document__participant__isnull=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("theme", "excerpt__document__cohort", "from_event")
        .annotate(excerpts=Count("excerpt", distinct=True), participants=Count("excerpt__document__participant", distinct=True))
    )
    cohorts = list(project.cohorts)
    cells: dict[tuple[int, str], tuple[int, int]] = {}
    events: dict[int, int] = {}
    for row in counted:
        if row["from_event"]:
            events[row["theme"]] = events.get(row["theme"], 0) + row["excerpts"]
            continue
        cohort = row["excerpt__document__cohort"]
        if cohort not in cohorts:
            cohorts.append(cohort)
        cells[(row["theme"], cohort)] = (row["excerpts"], row["participants"])

    quotes: dict[int, list[Quote]] = {}
    ranked = (
        codings.filter(Q(pk__in=with_publishable_quotes(codings).values("pk")) | EVENT_ALLOWS_QUOTES)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("theme")],
                order_by=[
                    F("excerpt__chosen_for_report").desc(),
                    F("excerpt__document__month").asc(),
                    F("excerpt__start").asc(),
                    F("pk").asc(),
                ],
            )
        )
        .filter(rank__lte=QUOTES_PER_THEME)
        .select_related("excerpt__document")
        .order_by("theme", "rank")
    )
    for coding in ranked:
        excerpt = coding.excerpt
        quotes.setdefault(coding.theme_id, []).append(Quote(excerpt.quote.strip(), excerpt.document.cohort))

    out = []
    for theme in chosen:
        excerpt_counts = [cells.get((theme.pk, c), (0, 0))[0] for c in cohorts]
        participant_counts = [cells.get((theme.pk, c), (0, 0))[1] for c in cohorts]
        event_excerpts = events.get(theme.pk, 0)
        if event_excerpts:
            excerpt_counts.append(event_excerpts)
        excerpt_labels = _labels(excerpt_counts, threshold, publication)
        participant_labels = _labels(participant_counts, threshold, publication)
        rows = [EvidenceRow(c, excerpt_labels[i], participant_labels[i]) for i, c in enumerate(cohorts)]
        if event_excerpts:
            rows.append(EvidenceRow(EVENTS_LABEL, excerpt_labels[len(cohorts)], ""))
        total = EvidenceRow("All", excerpt_labels[-1], participant_labels[-1])
        out.append(
            ThemeEvidence(theme, paths[theme.pk], rows, total, quotes.get(theme.pk, []), has_excerpts=sum(excerpt_counts) > 0)
        )
    return out


def evidence_context(action: Action, publication: bool) -> dict:
    """What `templates/strategy/includes/_evidence.html` needs, to merge into a page's context."""
    return {
        "evidence": evidence_for(action, publication=publication),
        "evidence_publication": publication,
        "evidence_threshold": action.project.small_number_threshold,
        "evidence_project": action.project,
    }
