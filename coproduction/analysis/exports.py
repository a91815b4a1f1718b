"""Excerpts and the codebook as CSV (streamed) and XLSX (openpyxl, write-only).

"For publication" applies to every export: counts under the project's threshold are shown as
"<N" (with secondary suppression), only quotes whose participant's current consent allows
publication are included, and nothing that points at a person (participant code, coder) is
listed. A publication lists each quote once: overlapping passages of one theme in one document
(two coders marking the same words) are joined into one.

Every export is made from the project's coding set (counts.coding_set): the consensus coding
when one exists, otherwise all coders' codings; the workbook's "About" sheet says which.
"""

from collections.abc import Callable, Iterator

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, NullIf, Substr

from coproduction.analysis.counts import CodingSet, coding_set, cohort_matrix, theme_rows
from coproduction.models import ConsensusCoding, Project, Theme
from coproduction.models.codebook import theme_paths
from coproduction.spreadsheets import append_rows

EXCERPT_HEADER = ["Theme", "Quote", "Document", "Cohort", "Participant", "Coder", "Start", "End"]
CONSENSUS_EXCERPT_HEADER = ["Theme", "Quote", "Document", "Cohort", "Participant", "Consensus source", "Start", "End"]
PUBLIC_EXCERPT_HEADER = ["Theme", "Quote", "Cohort"]
# Taguette's codebook import (taguette/import_codebook.py) takes the first of a `tag`, `name` or
# `path` column (exactly one of them) and an optional `description`; hierarchy is the dotted name.
TAGUETTE_HEADER = ["tag", "description"]
# A dot inside one theme's name would read as a level of hierarchy in Taguette: it becomes a
# one-dot leader, which looks the same.
TAGUETTE_DOT = "\u2024"
# Taguette refuses a tag whose path is longer than this (taguette/validate.py, tag_path).
TAGUETTE_MAX_PATH = 200
CODEBOOK_HEADER = ["GUID", "Theme", "Description", "Colour", "Status", "Passages", "Documents", "Participants"]

Progress = Callable[[int, int], None]


def excerpt_codings(project: Project, publication: bool, codings: CodingSet | None = None):
    codings = codings or coding_set(project)
    rows = codings.rows().exclude(theme__status__in=[Theme.Status.DECLINED, Theme.Status.MERGED])
    if publication:
        rows = codings.publishable(rows)
    if codings.consensus:
        return rows.select_related("document__participant", "theme").order_by(
            "theme__order", "theme__name", "theme_id", "document__title", "document_id", "start", "end", "pk"
        )
    return rows.select_related("excerpt__document__participant", "coder", "theme").order_by(
        "theme__order",
        "theme__name",
        "theme_id",
        "excerpt__document__title",
        "excerpt__document_id",
        "excerpt__start",
        "excerpt__end",
        "pk",
    )


def excerpt_values(project: Project, publication: bool, codings: CodingSet | None = None):
    """The rows of `excerpt_codings` as plain values, in the same order, the quote cut out of the
    text by the database (the whole text of a document is never fetched for each coding).

    Internal: (theme id, quote, document title, cohort, participant code or None, coder or
    consensus source, start, end). For publication: (theme id, document id, start, end, quote,
    cohort), which `_joined` merges into one quote per passage.
    """
    codings = codings or coding_set(project)
    rows = excerpt_codings(project, publication, codings)
    document = "document" if codings.consensus else "excerpt__document"
    start, end = ("start", "end") if codings.consensus else ("excerpt__start", "excerpt__end")
    quote = Substr(f"{document}__text", F(start) + 1, F(end) - F(start))
    if publication:
        return rows.values_list("theme_id", f"{document}_id", start, end, quote, f"{document}__cohort")
    if codings.consensus:
        by = Case(*(When(source=value, then=Value(label)) for value, label in ConsensusCoding.Source.choices), default="source")
    else:
        # str(user): the display name, or the email when there is none.
        by = Coalesce(NullIf("coder__display_name", Value("")), "coder__email", output_field=CharField())
    return rows.values_list(
        "theme_id", quote, f"{document}__title", f"{document}__cohort", f"{document}__participant__code", by, start, end
    )


def count_excerpt_rows(project: Project, publication: bool) -> int:
    return excerpt_codings(project, publication).count()


def _joined(rows) -> Iterator[tuple]:
    """Overlapping passages of one theme in one document joined into one quote (theme id,
    quote, cohort). The rows are sorted by theme, document and start, so this holds one passage
    in memory; each row's quote is its own slice of the same text, so a joined quote is the
    first slice and whatever the next one adds past its end."""
    current = None
    for theme_id, document_id, start, end, quote, cohort in rows:
        if current and current[0] == theme_id and current[1] == document_id and start < current[3]:
            if end > current[3]:
                current[4] += quote[current[3] - start :]
                current[3] = end
            continue
        if current:
            yield current[0], current[4], current[5]
        current = [theme_id, document_id, start, end, quote, cohort]
    if current:
        yield current[0], current[4], current[5]


# A long export reports its progress about a hundred times (one UPDATE of its job row each),
# and no more often than every 200 rows.
PROGRESS_STEPS, PROGRESS_MIN_ROWS = 100, 200


def excerpt_rows(project: Project, publication: bool, progress: Progress | None = None) -> Iterator[list]:
    """The header, then one row per coding (per consensus span), or per quote for publication.
    Rows come from a server-side cursor, a chunk at a time, as plain values."""
    paths = theme_paths(list(project.themes.all()))
    codings = coding_set(project)
    rows = excerpt_values(project, publication, codings)
    total = rows.count() if progress else 0
    values = rows.iterator(chunk_size=2000)
    if progress:
        values = _counted(values, total, progress)
    if publication:
        yield PUBLIC_EXCERPT_HEADER
        for theme_id, quote, cohort in _joined(values):
            yield [paths[theme_id], quote, cohort]
        return
    yield CONSENSUS_EXCERPT_HEADER if codings.consensus else EXCERPT_HEADER
    for theme_id, quote, title, cohort, participant, by, start, end in values:
        yield [paths[theme_id], quote, title, cohort, participant or "", by, start, end]


def _counted(rows, total: int, progress: Progress) -> Iterator:
    """The rows unchanged, calling progress(done, total) about PROGRESS_STEPS times."""
    every = max(PROGRESS_MIN_ROWS, total // PROGRESS_STEPS)
    for done, row in enumerate(rows, start=1):
        if done % every == 0:
            progress(done, total)
        yield row


def about_rows(project: Project, publication: bool) -> Iterator[list]:
    """What the workbook was made from, in words (no coder named in a publication)."""
    codings = coding_set(project)
    yield ["About this export"]
    yield [f"{codings.label}."]
    yield [codings.passages_explained]
    if publication:
        yield ["For publication: counts under the threshold are hidden; each quote is listed once."]


def codebook_rows(project: Project, publication: bool) -> Iterator[list]:
    yield CODEBOOK_HEADER
    threshold = project.small_number_threshold
    statuses = (Theme.Status.ACTIVE, Theme.Status.RETIRED)
    for row in theme_rows(project, statuses):
        theme = row.theme
        yield [str(theme.guid), row.path, theme.description, theme.colour, theme.get_status_display()] + list(
            row.labels(threshold, publication)
        )


def _taguette_tags(project: Project) -> Iterator[tuple[Theme, str]]:
    """(theme, dotted path) for every active or retired theme, parents before their children."""
    themes = list(project.themes.filter(status__in=(Theme.Status.ACTIVE, Theme.Status.RETIRED)))
    by_id = {t.pk: t for t in themes}
    children: dict[int | None, list[Theme]] = {}
    for theme in themes:
        children.setdefault(theme.parent_id if theme.parent_id in by_id else None, []).append(theme)
    stack = [(theme, "") for theme in reversed(sorted(children.get(None, []), key=lambda t: (t.order, t.name)))]
    seen: set[int] = set()
    while stack:
        theme, prefix = stack.pop()
        if theme.pk in seen:
            continue
        seen.add(theme.pk)
        path = prefix + theme.name.replace(".", TAGUETTE_DOT)
        yield theme, path
        ordered = sorted(children.get(theme.pk, []), key=lambda t: (t.order, t.name))
        stack.extend((child, path + ".") for child in reversed(ordered))


def taguette_codebook_rows(project: Project) -> Iterator[list]:
    """The codebook as Taguette imports it: one row per theme (active or retired), parents before
    their children, the path as dotted names ("Street safety.Lighting"). A codebook names no
    person, so the file is the same for publication."""
    yield TAGUETTE_HEADER
    for theme, path in _taguette_tags(project):
        description = theme.description
        if theme.status == Theme.Status.RETIRED:
            description = f"(Retired) {description}".strip()
        yield [path, description]


def taguette_warnings(project: Project) -> list[str]:
    """What the Taguette codebook changes or Taguette would refuse, for the export page (one query)."""
    tags = list(_taguette_tags(project))
    warnings = []
    dotted = sorted(theme.name for theme, _path in tags if "." in theme.name)
    if dotted:
        warnings.append(
            "Taguette reads a dot as a level of hierarchy: a dot inside a theme's own name is written as a one-dot "
            f"leader (\u2024), which looks the same: {', '.join(f'“{name}”' for name in dotted)}."
        )
    too_long = [path for _theme, path in tags if len(path) > TAGUETTE_MAX_PATH]
    if too_long:
        warnings.append(
            f"Taguette refuses a tag path longer than {TAGUETTE_MAX_PATH} characters; shorten the names (or the "
            f"depth) of: {', '.join(f'“{path[:60]}…”' for path in too_long)}."
        )
    return warnings


def matrix_rows(project: Project, publication: bool) -> Iterator[list]:
    matrix = cohort_matrix(project)
    yield ["Theme", *matrix.cohorts, "All participants"]
    for _theme, path, labels in matrix.labelled(project.small_number_threshold, publication):
        yield [path, *labels]


def write_xlsx(project: Project, publication: bool, out, progress: Progress | None = None) -> None:
    """Excerpts, codebook and theme × cohort sheets; write-only mode keeps memory flat."""
    from openpyxl import Workbook  # numpy and all: loaded when a workbook is written

    workbook = Workbook(write_only=True)
    for title, rows in (
        ("Excerpts", excerpt_rows(project, publication, progress)),
        ("Codebook", codebook_rows(project, publication)),
        ("Theme by cohort", matrix_rows(project, publication)),
        ("About", about_rows(project, publication)),
    ):
        append_rows(workbook.create_sheet(title), rows)
    workbook.save(out)


def write_codebook_xlsx(project: Project, publication: bool, out) -> None:
    from openpyxl import Workbook  # numpy and all: loaded when a workbook is written

    workbook = Workbook(write_only=True)
    append_rows(workbook.create_sheet("Codebook"), codebook_rows(project, publication))
    append_rows(workbook.create_sheet("About"), about_rows(project, publication))
    workbook.save(out)
