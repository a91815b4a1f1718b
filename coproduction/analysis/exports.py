"""Excerpts and the codebook as CSV (streamed) and XLSX (openpyxl, write-only).

"For publication" applies to every export: counts under the project's threshold are shown as
"<N" (with secondary suppression), only quotes whose participant's current consent allows
publication are included, and nothing that points at a person (participant code, coder) is
listed.
"""

import csv
from collections.abc import Callable, Iterator
from typing import IO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from coproduction.analysis.counts import codings_of, cohort_matrix, theme_rows, with_publishable_quotes
from coproduction.models import Project, Theme
from coproduction.models.codebook import theme_paths

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCERPT_HEADER = ["Theme", "Quote", "Document", "Cohort", "Participant", "Coder", "Start", "End"]
PUBLIC_EXCERPT_HEADER = ["Theme", "Quote", "Cohort"]
CODEBOOK_HEADER = ["GUID", "Theme", "Description", "Colour", "Status", "Excerpts", "Documents", "Participants"]

Progress = Callable[[int, int], None]


def safe_cell(value) -> object:
    """Neutralise spreadsheet formula injection: a text cell starting with = + - @ gets a leading
    apostrophe, so Excel and LibreOffice show it as text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def excerpt_codings(project: Project, publication: bool):
    codings = codings_of(project).exclude(theme__status__in=[Theme.Status.DECLINED, Theme.Status.MERGED])
    if publication:
        codings = with_publishable_quotes(codings)
    return codings.select_related("excerpt__document__participant", "coder", "theme").order_by(
        "theme__order", "theme__name", "excerpt__document__title", "excerpt__start", "pk"
    )


def count_excerpt_rows(project: Project, publication: bool) -> int:
    return excerpt_codings(project, publication).count()


def excerpt_rows(project: Project, publication: bool, progress: Progress | None = None) -> Iterator[list]:
    """The header, then one row per coding. Texts are fetched in chunks, not all at once."""
    paths = theme_paths(list(project.themes.all()))
    yield PUBLIC_EXCERPT_HEADER if publication else EXCERPT_HEADER
    codings = excerpt_codings(project, publication)
    total = codings.count() if progress else 0
    for done, coding in enumerate(codings.iterator(chunk_size=500), start=1):
        excerpt = coding.excerpt
        document = excerpt.document
        if publication:
            row = [paths[coding.theme_id], excerpt.quote, document.cohort]
        else:
            participant = document.participant.code if document.participant_id else ""
            row = [paths[coding.theme_id], excerpt.quote, document.title, document.cohort, participant]
            row += [str(coding.coder), excerpt.start, excerpt.end]
        if progress and done % 200 == 0:
            progress(done, total)
        yield [safe_cell(v) for v in row]


def codebook_rows(project: Project, publication: bool) -> Iterator[list]:
    yield CODEBOOK_HEADER
    threshold = project.small_number_threshold
    statuses = (Theme.Status.ACTIVE, Theme.Status.RETIRED)
    for row in theme_rows(project, statuses):
        theme = row.theme
        yield [
            safe_cell(v) for v in [str(theme.guid), row.path, theme.description, theme.colour, theme.get_status_display()]
        ] + list(row.labels(threshold, publication))


def matrix_rows(project: Project, publication: bool) -> Iterator[list]:
    matrix = cohort_matrix(project)
    yield ["Theme", *matrix.cohorts, "All participants"]
    for _theme, path, labels in matrix.labelled(project.small_number_threshold, publication):
        yield [safe_cell(path), *labels]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streamed response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so Excel reads UTF-8 correctly
    for row in rows:
        yield writer.writerow(row)


def write_csv(rows, out: IO[str]) -> None:
    for line in csv_lines(rows):
        out.write(line)


def xlsx_cell(value) -> object:
    """Excel refuses control characters (notes pasted from elsewhere can carry them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def write_xlsx(project: Project, publication: bool, out, progress: Progress | None = None) -> None:
    """Excerpts, codebook and theme × cohort sheets; write-only mode keeps memory flat."""
    workbook = Workbook(write_only=True)
    for title, rows in (
        ("Excerpts", excerpt_rows(project, publication, progress)),
        ("Codebook", codebook_rows(project, publication)),
        ("Theme by cohort", matrix_rows(project, publication)),
    ):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([xlsx_cell(v) for v in row])
    workbook.save(out)


def write_codebook_xlsx(project: Project, publication: bool, out) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Codebook")
    for row in codebook_rows(project, publication):
        sheet.append([xlsx_cell(v) for v in row])
    workbook.save(out)
