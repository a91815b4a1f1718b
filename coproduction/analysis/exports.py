"""Excerpts and the codebook as CSV (streamed) and XLSX (openpyxl, write-only).

"For publication" applies to every export: counts under the project's threshold are shown as
"<N" (with secondary suppression), only quotes whose participant's current consent allows
publication are included, and nothing that points at a person (participant code, coder) is
listed. A publication lists each quote once: overlapping passages of one theme in one document
(two coders marking the same words) are joined into one.

Every export is made from the project's coding set (counts.coding_set): the consensus coding
when one exists, otherwise all coders' codings; the workbook's "About" sheet says which.
"""

import json
from collections.abc import Callable, Iterator

from django.db import connection, connections
from django.db.models import Case, CharField, Count, F, Value, When
from django.db.models.functions import Coalesce, NullIf, Substr

from coproduction.analysis.counts import CodingSet, coding_set, cohort_matrix, theme_rows
from coproduction.models import ConsensusCoding, Project, Theme
from coproduction.models.codebook import theme_paths
from coproduction.spreadsheets import append_rows, csv_blocks, spreadsheet_cell, sql_spreadsheet_cell

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


def excerpt_csv(project: Project, publication: bool, progress: Progress | None = None) -> Iterator[bytes]:
    """The excerpts as CSV, in blocks of UTF-8 bytes, the byte-order mark first.

    On PostgreSQL the internal export is written by COPY: the database makes every line and
    no row passes through Python (`_copied_csv`). The publication (whose overlapping quotes are
    joined in Python) and SQLite go through csv.writer. Both are readable as the same cells.
    """
    if connection.vendor == "postgresql" and not publication:
        yield from _copied_csv(project, progress)
        return
    for block in csv_blocks(excerpt_rows(project, publication, progress)):
        yield block.encode("utf-8")


# COPY sends one message per line; they are written out joined into blocks of about this size.
COPY_BLOCK_BYTES = 64 * 1024


def copy_statement(project: Project, codings: CodingSet, themes: list[int] | None = None) -> tuple[str, list]:
    """The COPY … TO STDOUT (FORMAT csv) of the internal excerpt rows (of these themes only, if
    given): the export's own query, in its own order, its text cells treated as
    `spreadsheet_cell` treats them (`sql_spreadsheet_cell`), each theme's path looked up in a
    JSON object made in Python."""
    paths = theme_paths(list(project.themes.all()))
    rows = excerpt_values(project, False, codings)
    if themes is not None:
        rows = rows.filter(theme_id__in=themes)
    sql, params = rows.query.sql_with_params()
    columns = ["theme_id", "quote", "title", "cohort", "participant", "by_whom", "start_at", "end_at"]
    cells, cell_params = [], []
    for column in columns[1:6]:
        cell_sql, more = sql_spreadsheet_cell(f"row.{column}")
        cells.append(cell_sql)
        cell_params += more
    copy_sql = (
        f"COPY (SELECT %s::jsonb ->> row.theme_id::text, {', '.join(cells)}, row.start_at, row.end_at "  # noqa: S608 — no user input in the SQL
        # The query whole (OFFSET 0: not folded into this one), so each quote is cut out of its
        # document once, and its rows come out in its order: a plain scan of it keeps it.
        f"FROM ({sql} OFFSET 0) AS row({', '.join(columns)})) TO STDOUT (FORMAT csv)"
    )
    path_json = json.dumps({str(pk): spreadsheet_cell(path) for pk, path in paths.items()})
    return copy_sql, [path_json, *cell_params, *params]


def _copied_csv(project: Project, progress: Progress | None) -> Iterator[bytes]:
    """The internal excerpt CSV as PostgreSQL writes it (`copy_statement`), progress counted
    in lines (PostgreSQL sends each row as one message).

    A connection can do nothing else while it copies, and reporting progress writes to the
    job's row. So a background job (autocommit) copies on a connection of its own, in one
    COPY, and reports on its usual one. Inside a transaction another connection would not
    see the transaction's rows: there the themes are copied a batch at a time, in the
    export's order (which starts with the theme), and progress is reported between batches.
    """
    codings = coding_set(project)
    header = CONSENSUS_EXCERPT_HEADER if codings.consensus else EXCERPT_HEADER
    # Lines end in "\r\n", as csv.writer ends them (COPY ends them in "\n").
    block, size, done = ["\ufeff".encode() + ",".join(header).encode()], 0, 0
    batches, total, every = [None], 0, 0
    copier = connection
    if progress:
        batches, total = _theme_batches(project, codings)
        every = max(PROGRESS_MIN_ROWS, total // PROGRESS_STEPS)
        if not connection.in_atomic_block:
            copier, batches = connections.create_connection(connection.alias), [None]
    try:
        with copier.cursor() as cursor:
            for themes in batches:
                with cursor.copy(*copy_statement(project, codings, themes)) as copy:
                    for line in copy:
                        block.append(bytes(line[:-1]))
                        size += len(line)
                        done += 1
                        if copier is not connection and done % every == 0:
                            progress(done, total)
                        if size >= COPY_BLOCK_BYTES:
                            yield b"\r\n".join(block) + b"\r\n"
                            block, size = [], 0
                if copier is connection and progress and done < total:
                    progress(done, total)
    finally:
        if copier is not connection:
            copier.close()
    if block:
        yield b"\r\n".join(block) + b"\r\n"


def _theme_batches(project: Project, codings: CodingSet) -> tuple[list[list[int]], int]:
    """The themes with rows, in the export's order, in batches of about a hundredth of the
    rows (at least PROGRESS_MIN_ROWS), and the number of rows. Two queries."""
    rows = excerpt_codings(project, False, codings).order_by()
    counts = dict(rows.values_list("theme_id").annotate(n=Count("pk")))
    total = sum(counts.values())
    every = max(PROGRESS_MIN_ROWS, total // PROGRESS_STEPS)
    batches, batch, in_batch = [], [], 0
    for theme_id in Theme.objects.filter(pk__in=list(counts)).order_by("order", "name", "pk").values_list("pk", flat=True):
        batch.append(theme_id)
        in_batch += counts[theme_id]
        if in_batch >= every:
            batches.append(batch)
            batch, in_batch = [], 0
    if batch:
        batches.append(batch)
    return batches, total


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
