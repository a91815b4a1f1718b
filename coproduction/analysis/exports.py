"""Excerpts and the codebook as CSV (streamed) and XLSX (openpyxl, write-only).

"For publication" applies to every export: counts under the project's threshold are shown as
"<N" (with secondary suppression), only quotes whose participant's current consent allows
publication are included, and nothing that points at a person (participant code, coder) is
listed.
"""

from collections.abc import Callable, Iterator

from openpyxl import Workbook

from coproduction.analysis.counts import codings_of, cohort_matrix, theme_rows, with_publishable_quotes
from coproduction.models import Project, Theme
from coproduction.models.codebook import theme_paths
from coproduction.spreadsheets import append_rows

EXCERPT_HEADER = ["Theme", "Quote", "Document", "Cohort", "Participant", "Coder", "Start", "End"]
PUBLIC_EXCERPT_HEADER = ["Theme", "Quote", "Cohort"]
CODEBOOK_HEADER = ["GUID", "Theme", "Description", "Colour", "Status", "Excerpts", "Documents", "Participants"]

Progress = Callable[[int, int], None]


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
        yield row


def codebook_rows(project: Project, publication: bool) -> Iterator[list]:
    yield CODEBOOK_HEADER
    threshold = project.small_number_threshold
    statuses = (Theme.Status.ACTIVE, Theme.Status.RETIRED)
    for row in theme_rows(project, statuses):
        theme = row.theme
        yield [str(theme.guid), row.path, theme.description, theme.colour, theme.get_status_display()] + list(
            row.labels(threshold, publication)
        )


def matrix_rows(project: Project, publication: bool) -> Iterator[list]:
    matrix = cohort_matrix(project)
    yield ["Theme", *matrix.cohorts, "All participants"]
    for _theme, path, labels in matrix.labelled(project.small_number_threshold, publication):
        yield [path, *labels]


def write_xlsx(project: Project, publication: bool, out, progress: Progress | None = None) -> None:
    """Excerpts, codebook and theme × cohort sheets; write-only mode keeps memory flat."""
    workbook = Workbook(write_only=True)
    for title, rows in (
        ("Excerpts", excerpt_rows(project, publication, progress)),
        ("Codebook", codebook_rows(project, publication)),
        ("Theme by cohort", matrix_rows(project, publication)),
    ):
        append_rows(workbook.create_sheet(title), rows)
    workbook.save(out)


def write_codebook_xlsx(project: Project, publication: bool, out) -> None:
    workbook = Workbook(write_only=True)
    append_rows(workbook.create_sheet("Codebook"), codebook_rows(project, publication))
    workbook.save(out)
