"""The CSV export made by PostgreSQL's COPY treats every text as `spreadsheet_cell` does.

`sql_spreadsheet_cell` is the same rule written in SQL, for exports where no row passes through
Python. Here the two meet on any text hypothesis makes (NUL aside: PostgreSQL text cannot hold
it), on the texts that matter most, and on whole exports read back cell by cell.
"""

import csv
import io

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduction.analysis import actions, exports
from coproduction.spreadsheets import csv_blocks, spreadsheet_cell, sql_spreadsheet_cell
from tests.analysis.factories import ThemeFactory, code, make_document
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

MEANINGFUL = [
    "=1+1",
    '\x01=HYPERLINK("http://evil.example/","Open")',
    "+cmd|' /C calc'!A0",
    "-2",
    "@SUM(A1:A2)",
    "\t=tab",
    "\r=return",
    " =space",
    "\u3000=ideographic space",
    "\u00a0\u2003+no-break and em spaces",
    "\uff1dfull-width equals",
    "\ufe62small plus",
    "\x0b\x1f=controls first",
    "\x7f@delete",
    "",
    " ",
    "plain words",
    "42 people",
    "\ufb01ligature first",
    "“quoted”, with a comma",
    "two\nlines",
    "'already an apostrophe",
]


def in_sql(texts: list[str]) -> list[str | None]:
    sql, params = sql_spreadsheet_cell("t.value")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql} FROM unnest(%s::text[]) WITH ORDINALITY AS t(value, n) ORDER BY t.n",  # noqa: S608 — no input
            [*params, texts],
        )
        return [row[0] for row in cursor.fetchall()]


def in_python(texts: list[str]) -> list[str | None]:
    return [spreadsheet_cell(text) or None for text in texts]


def test_the_texts_that_matter_get_the_same_cell(db):
    assert in_sql(MEANINGFUL) == in_python(MEANINGFUL)
    cells = dict(zip(MEANINGFUL, in_sql(MEANINGFUL), strict=True))
    assert cells["=1+1"] == "'=1+1" and cells["\uff1dfull-width equals"].startswith("'")
    assert cells['\x01=HYPERLINK("http://evil.example/","Open")'] == '\'=HYPERLINK("http://evil.example/","Open")'
    assert cells["plain words"] == "plain words" and cells[""] is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=12), max_size=40))
def test_any_text_gets_the_same_cell(db, texts):
    assert in_sql(texts) == in_python(texts)


def _cells(blocks) -> list[list[str]]:
    data = b"".join(blocks)
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _through_python(project) -> list[list[str]]:
    return _cells(block.encode("utf-8") for block in csv_blocks(exports.excerpt_rows(project, False)))


@pytest.fixture
def awkward(world):
    """Codings whose every cell is awkward: formulas, commas, quotes, line breaks, control
    characters, a document without a participant, two coders, and sub-themes."""
    project = world.project
    parent = ThemeFactory(project=project, name='=Parent, "quoted"', order=0)
    child = ThemeFactory(project=project, name="Child\nline", parent=parent, order=0)
    other = ThemeFactory(project=project, name="Another", order=1)
    world.analyst.display_name = '@Analyst, "A"'
    world.analyst.save()
    participant = ParticipantFactory(project=project, code="+P-01")
    texts = [
        '=cmd at the start, "quotes", and a comma.\n\nThen a second paragraph.',
        '\x01=HYPERLINK("x") behind a control character.',
        "\u3000\uff0bfull-width plus behind an ideographic space.",
    ]
    documents = [
        make_document(project, text=texts[0], participant=participant, title="-Title, one"),
        make_document(project, text=texts[1], with_participant=False, title="Event notes"),
        make_document(project, text=texts[2], title="Third", cohort="Resident"),
    ]
    for document in documents:
        code(document, 0, 20, [parent, child], world.analyst)
        code(document, 5, len(document.text), [other], world.peer)
    return world


def test_the_copied_export_reads_as_the_same_cells_in_the_same_order(awkward):
    project = awkward.project
    copied = _cells(exports.excerpt_csv(project, False))
    assert copied == _through_python(project)
    assert len(copied) == 1 + 3 * 3
    # Byte for byte, too (lines end in "\r\n" as csv.writer ends them).
    assert b"".join(exports.excerpt_csv(project, False)) == "".join(csv_blocks(exports.excerpt_rows(project, False))).encode()
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\u3000")) for row in copied for cell in row)


def test_the_copied_consensus_export_reads_as_the_same_cells(awkward):
    from coproduction.analysis import consensus

    project = awkward.project
    consensus.start_adjudication(project, awkward.analyst, awkward.peer, by=awkward.analyst)
    copied = _cells(exports.excerpt_csv(project, False))
    assert copied[0] == exports.CONSENSUS_EXCERPT_HEADER
    assert copied == _through_python(project)


def test_the_copied_export_reports_progress_between_batches_of_themes_and_reads_the_same(awkward):
    project = awkward.project
    document = make_document(project, text="word " * 400)
    for n in range(6):
        theme = ThemeFactory(project=project, name=f"Batch {n}", order=2)
        for i in range(50):
            word = (n * 50 + i) * 5
            actions.code_excerpt(document=document, start=word, end=word + 4, themes=[theme], coder=awkward.analyst)
    seen = []
    batched = _cells(exports.excerpt_csv(project, False, progress=lambda done, total: seen.append((done, total))))
    assert batched == _cells(exports.excerpt_csv(project, False)) == _through_python(project)
    total = 9 + 300
    assert seen and all(total == t and 0 < done < total for done, t in seen)
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})  # rising, never twice
    assert seen[0][0] >= 200  # about a hundredth of the rows, and never fewer than 200


@pytest.mark.django_db(transaction=True)
def test_a_background_job_copies_on_its_own_connection_and_reports_progress_while_it_copies(settings, tmp_path):
    """Outside a transaction (as in a worker) the COPY runs on a connection of its own, in one
    statement, while progress goes to the job's row on the usual one."""
    from coproduction.analysis import tasks
    from coproduction.models import ExportJob
    from tests.conftest import build_world

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    world = build_world()
    theme = ThemeFactory(project=world.project, name="=Formula theme")
    document = make_document(world.project, text="word " * 500)
    for i in range(450):
        actions.code_excerpt(document=document, start=i * 5, end=i * 5 + 4, themes=[theme], coder=world.analyst)
    job = ExportJob.objects.create(project=world.project, requested_by=world.analyst, format=ExportJob.Format.CSV)
    seen = []
    real = exports.connections.create_connection

    def counted(alias):
        seen.append(alias)
        return real(alias)

    exports.connections.create_connection = counted
    try:
        assert tasks.run_export_job(job.pk) is True
    finally:
        exports.connections.create_connection = real
    job.refresh_from_db()
    assert seen == ["default"]  # one COPY on its own connection, although all rows are one theme
    assert (job.status, job.rows_done, job.rows_total) == (ExportJob.Status.DONE, 400, 450)
    written = (tasks.export_dir() / job.file_name).read_bytes()
    assert written == "".join(csv_blocks(exports.excerpt_rows(world.project, False))).encode()
    assert _cells([written])[1][0] == "'=Formula theme"
