"""The theme report as a PDF: summary, the theme × cohort chart, each theme with its description
and chosen quotes. WeasyPrint renders it, chart and all (bars in the report's HTML); the matrix
page's chart is a picture matplotlib (Agg, no display) draws.

The renderer fetches nothing from the network: the report has no image, and any URL is refused
by the url_fetcher (`coproduction.pdf`, imported only when a PDF is made).
"""

import hashlib
import io
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F
from django.db.models.functions import Substr
from django.template.loader import render_to_string
from django.utils import timezone

from coproduction.analysis.counts import (
    CodingSet,
    Matrix,
    coding_set,
    codings_of,
    cohort_matrix,
    theme_rows,
    with_publishable_quotes,
)
from coproduction.analysis.suppression import suppress_count
from coproduction.charts import COLOURS
from coproduction.models import Project

QUOTES_PER_THEME = 5
# The longest bar of the PDF's chart, in per cent of its column (the rest holds its label).
BAR_SPAN = 85


CHART_CACHE_SECONDS = 7 * 24 * 3600


def chart_version(matrix: Matrix, threshold: int, publication: bool) -> str:
    """A hash of everything the chart draws (names, cohorts, counts, threshold, mode): a changed
    count is a new version, never a stale picture."""
    drawn = repr((matrix.cohorts, [(path, counts) for _, path, counts in matrix.rows], threshold, publication))
    return hashlib.sha256(drawn.encode()).hexdigest()


def matrix_chart(project: Project, publication: bool, codings: CodingSet | None = None, matrix: Matrix | None = None) -> bytes:
    """A grouped horizontal bar chart as a PNG. In publication mode a suppressed cell is drawn
    as zero-length and labelled "<N", so the picture reveals no more than the table.

    Drawing takes matplotlib hundreds of milliseconds, so a chart is kept in the cache under its
    version (`chart_version`). It holds what the matrix page shows its readers, nothing more.
    """
    matrix = matrix or cohort_matrix(project, codings)
    threshold = project.small_number_threshold
    key = "matrix-chart-png:" + chart_version(matrix, threshold, publication)
    chart = cache.get(key)
    if chart is None:
        chart = _draw_matrix_chart(matrix, threshold, publication)
        cache.set(key, chart, CHART_CACHE_SECONDS)
    return chart


def figure_tools():
    """matplotlib's Figure and MaxNLocator on the Agg backend (no display), imported when a
    chart is drawn: a process that only writes exports or PDFs never loads matplotlib or numpy."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    return Figure, MaxNLocator


def _draw_matrix_chart(matrix: Matrix, threshold: int, publication: bool) -> bytes:
    Figure, MaxNLocator = figure_tools()
    labelled = matrix.labelled(threshold, publication)
    height = max(2.5, 0.45 * len(matrix.rows) * max(1, len(matrix.cohorts)) / 2 + 1)
    figure = Figure(figsize=(7.5, height), dpi=110)
    axes = figure.add_subplot()
    bar = 0.8 / max(1, len(matrix.cohorts))
    largest = 0
    names = [path for _, path, _ in matrix.rows]
    for index, cohort in enumerate(matrix.cohorts):
        values, labels = [], []
        for (_, _, counts), (_, _, cells) in zip(matrix.rows, labelled, strict=True):
            hidden = cells[index].startswith("<")
            values.append(0 if hidden else counts[index])
            labels.append(cells[index])
        largest = max([largest, *values])
        positions = [row + index * bar for row in range(len(names))]
        bars = axes.barh(positions, values, height=bar, label=cohort)
        axes.bar_label(bars, labels=labels, padding=2, fontsize=7)
    axes.set_yticks([row + bar * (len(matrix.cohorts) - 1) / 2 for row in range(len(names))], labels=names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("Participants who raised the theme")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(0, max(1, largest) * 1.15)  # room for the labels; never a negative axis
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=max(1, len(matrix.cohorts)), frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def bars_drawn(labelled: list, cohorts: list[str]) -> bool:
    """Whether the chart of these cells has any bar: not when every count is 0 or hidden."""
    return any(cell != "0" and not cell.startswith("<") for _, _, row in labelled for cell in row[: len(cohorts)])


def chart_note(labelled: list, cohorts: list[str], threshold: int, publication: bool) -> str:
    """Why bars are missing, in words, where a publication hides them ("" when none is): a chart
    of nothing but "<10" has no bars at all, and would look broken without it."""
    if not publication or not any(cell.startswith("<") for _, _, row in labelled for cell in row[: len(cohorts)]):
        return ""
    if not bars_drawn(labelled, cohorts):
        return (
            f"No bars are drawn: every count is under {threshold}, and this publication does not show counts "
            f"that small (the table reads “<{threshold}”)."
        )
    return f"Counts under {threshold} are not drawn as bars: they read “<{threshold}”."


@dataclass(frozen=True)
class Bar:
    cohort: str
    colour: str
    percent: float  # of the column: the longest bar takes BAR_SPAN, leaving room for its label
    label: str


def matrix_bars(matrix: Matrix, threshold: int, publication: bool) -> list[tuple[str, list[Bar]]]:
    """The theme × cohort chart of the PDF as bars the report's HTML draws (no picture to make:
    WeasyPrint lays them out in a fraction of the time matplotlib took to draw and encode the
    same chart). In publication mode a suppressed cell is a zero-length bar labelled "<N", so
    the chart reveals no more than the table."""
    labelled = matrix.labelled(threshold, publication)
    shown = [
        [0 if cells[index].startswith("<") else counts[index] for index in range(len(matrix.cohorts))]
        for (_, _, counts), (_, _, cells) in zip(matrix.rows, labelled, strict=True)
    ]
    largest = max([1, *(value for values in shown for value in values)])
    colours = [COLOURS[index % len(COLOURS)] for index in range(len(matrix.cohorts))]
    return [
        (
            path,
            [
                Bar(cohort, colours[i], round(BAR_SPAN * values[i] / largest, 1), cells[i])
                for i, cohort in enumerate(matrix.cohorts)
            ],
        )
        for (_, path, cells), values in zip(labelled, shown, strict=True)
    ]


@dataclass(frozen=True)
class Quote:
    text: str
    cohort: str


def _chosen_quotes(project: Project, publication: bool) -> dict[int, list[Quote]]:
    """{theme id: up to QUOTES_PER_THEME quotes}, the analysts' choice of excerpts whichever set
    is counted; two coders' excerpts of the same words are one quote. The quote is cut out of
    the text by the database (a document's whole text is never fetched for a quote)."""
    chosen = codings_of(project).filter(excerpt__chosen_for_report=True)
    if publication:
        chosen = with_publishable_quotes(chosen)
    rows = chosen.order_by("excerpt__document__month", "excerpt__start", "pk").values_list(
        "theme_id",
        "excerpt__document_id",
        "excerpt__start",
        "excerpt__end",
        "excerpt__document__cohort",
        Substr("excerpt__document__text", F("excerpt__start") + 1, F("excerpt__end") - F("excerpt__start")),
    )
    quotes: dict[int, list[Quote]] = {}
    seen: set[tuple[int, int, int, int]] = set()
    for theme_id, document_id, start, end, cohort, text in rows.iterator(chunk_size=2000):
        key = (theme_id, document_id, start, end)
        if key in seen:
            continue
        seen.add(key)
        if len(quotes.setdefault(theme_id, [])) < QUOTES_PER_THEME:
            quotes[theme_id].append(Quote(text, cohort))
    return quotes


def report_context(project: Project, publication: bool) -> dict:
    threshold = project.small_number_threshold
    codings = coding_set(project)
    rows = theme_rows(project, codings=codings)
    quotes = _chosen_quotes(project, publication)
    matrix = cohort_matrix(project, codings)
    doc = codings.document
    participants = codings.rows().exclude(**{f"{doc}__participant": None}).values(f"{doc}__participant").distinct().count()
    documents = project.documents.count()
    labelled = matrix.labelled(threshold, publication)
    note = chart_note(labelled, matrix.cohorts, threshold, publication)
    bars = matrix_bars(matrix, threshold, publication)
    return {
        "project": project,
        "publication": publication,
        "threshold": threshold,
        "generated_at": timezone.now(),
        "documents": suppress_count(documents, threshold) if publication else documents,
        "participants": suppress_count(participants, threshold) if publication else participants,
        "themes": [(row, row.labels(threshold, publication), quotes.get(row.theme.pk, [])) for row in rows],
        "cohorts": matrix.cohorts,
        "matrix": labelled,
        "chart_note": note,
        "bars": bars,
        "bars_drawn": bars_drawn(labelled, matrix.cohorts),
        "legend": [(bar.cohort, bar.colour) for bar in bars[0][1]] if bars else [],
        "counted_from": codings.label,
        "passages_explained": codings.passages_explained,
    }


def report_html(project: Project, publication: bool) -> str:
    return render_to_string("analysis/report_pdf.html", report_context(project, publication))


def write_pdf(project: Project, publication: bool, out) -> None:
    from weasyprint import HTML

    from coproduction.pdf import LocalOnlyFetcher

    HTML(string=report_html(project, publication), url_fetcher=LocalOnlyFetcher(), base_url=None).write_pdf(out)
