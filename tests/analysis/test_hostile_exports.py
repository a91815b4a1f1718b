"""No spreadsheet the app writes holds a live formula, whatever people typed or imported.

Every CSV and Excel export is found from the export formats, made with hostile text in every
field that reaches one (theme names and descriptions, memos, cohorts, participant codes,
document titles, quotes, coders' names, the project's name), and opened with csv / openpyxl.
"""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coproduction.analysis import actions, builders
from coproduction.models import ExportJob, Memo
from coproduction.spreadsheets import UNWRITABLE, spreadsheet_cell
from tests.analysis.factories import ThemeFactory, code, make_document
from tests.factories import ParticipantFactory

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '\x01=HYPERLINK("http://evil.example/","Open")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=tab",
    "\r=return",
    " =space",
    "\x0b\x1f=nul",  # PostgreSQL cannot store NUL itself; forms refuse it anyway
    "\uff1dfull-width",
    "\x7f@delete",
]
SPREADSHEET_FORMATS = [f for f in ExportJob.Format.values if builders.extension(f) in {".csv", ".xlsx"}]


def test_every_spreadsheet_format_is_covered():
    assert set(SPREADSHEET_FORMATS) == {"csv", "xlsx", "codebook-csv", "codebook-xlsx", "taguette-csv"}


def visible(text: str) -> str:
    return UNWRITABLE.sub("", text)


@pytest.fixture
def hostile(world):
    """Each field gets its own hostile value, so that a test can find where each went."""
    project = world.project
    # The issue's own case goes to theme names; control characters in front of formulas go to
    # the parent theme, the quote and the title; the rest is spread over the other fields.
    values = iter(
        [HOSTILE[0], HOSTILE[8], HOSTILE[10], HOSTILE[0], *HOSTILE[1:8], HOSTILE[9], HOSTILE[8], HOSTILE[0], HOSTILE[1]]
    )
    theme_name, parent_name, description, project_name = next(values), next(values), next(values), next(values)
    project.name = project_name + " project"
    project.cohorts = [next(values) + " cohort", "Resident"]
    project.save()
    cohort = project.cohorts[0]
    coder = world.analyst
    coder.display_name = next(values) + " coder"
    coder.save()
    parent = ThemeFactory(project=project, name=parent_name + " parent", description=description + " described")
    theme = ThemeFactory(project=project, name=theme_name, parent=parent, description=next(values))
    participant = ParticipantFactory(project=project, cohort=cohort, code=next(values) + " code")
    from tests.analysis.factories import give_consent

    give_consent(participant, quotes_published=True)
    quote = next(values) + " quoted words"
    document = make_document(
        project, participant=participant, cohort=cohort, title=next(values) + " title", text=quote + ". The rest."
    )
    excerpt = code(document, 0, len(quote), [theme, parent], coder)
    Memo.objects.create(project=project, author=coder, text=next(values) + " memo on a theme", theme=theme)
    actions.add_memo(project=project, author=coder, text=next(values) + " memo on a passage", excerpt=excerpt)
    return {
        "theme": visible(theme.name),
        "parent": visible(parent.name),
        "description": visible(parent.description),
        "cohort": visible(cohort),
        "participant": visible(participant.code),
        "title": visible(document.title),
        "quote": visible(quote),
        "coder": visible(coder.display_name),
    }


# Which hostile texts each export must still show (readably) once neutralised.
SHOWN = {
    ("csv", False): {"theme", "parent", "quote", "title", "cohort", "participant", "coder"},
    ("csv", True): {"theme", "parent", "quote", "cohort"},
    ("xlsx", False): {"theme", "parent", "quote", "title", "cohort", "participant", "coder", "description"},
    ("xlsx", True): {"theme", "parent", "quote", "cohort", "description"},
    ("codebook-csv", False): {"theme", "parent", "description"},
    ("codebook-csv", True): {"theme", "parent", "description"},
    ("codebook-xlsx", False): {"theme", "parent", "description"},
    ("codebook-xlsx", True): {"theme", "parent", "description"},
    # The hostile theme name holds a dot (a URL), which Taguette would read as hierarchy: it is
    # written as a one-dot leader, so the name is not shown byte for byte (test_refiqda_cases).
    ("taguette-csv", False): {"parent", "description"},
    ("taguette-csv", True): {"parent", "description"},
}


def cells_of(fmt: str, body: bytes) -> list:
    if builders.extension(fmt) == ".csv":
        text = body.decode("utf-8")
        assert text.startswith("\ufeff")
        return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
    workbook = load_workbook(io.BytesIO(body))  # not read-only: data types are checked too
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                cells.append(cell.value)
    return cells


def assert_no_live_formula(fmt: str, publication: bool, cells: list, hostile: dict) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    for text in texts:
        assert not text.startswith(FORMULA_STARTS), f"{fmt}: {text!r} would be read as a formula"
        assert not text.lstrip().startswith(FORMULA_STARTS), f"{fmt}: {text!r} hides a formula behind spaces"
        assert not UNWRITABLE.search(text), f"{fmt}: {text!r} carries a control character"
    for field in SHOWN[(fmt, publication)]:
        shown = hostile[field]
        assert any(shown in text for text in texts), f"{fmt}: the {field} {shown!r} is not shown readably"
    # A neutralised cell is the original text behind one apostrophe, nothing lost.
    theme_cells = [t for t in texts if t.endswith(hostile["theme"]) and hostile["parent"] not in t]
    for text in theme_cells:
        assert text == spreadsheet_cell(hostile["theme"])


@pytest.mark.parametrize("publication", [False, True], ids=["full", "publication"])
@pytest.mark.parametrize("fmt", SPREADSHEET_FORMATS)
def test_no_export_holds_a_live_formula(world, hostile, fmt, publication, client_for, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    # The file as the background job and `manage.py export_project` write it…
    out = io.BytesIO()
    builders.build(world.project, fmt, publication, out)
    assert_no_live_formula(fmt, publication, cells_of(fmt, out.getvalue()), hostile)
    # …and as the exports page downloads it (the excerpts CSV is streamed).
    response = client_for(world.analyst).post(
        reverse("analysis:export", kwargs={"slug": world.project.slug}), {"format": fmt, "publication": publication or ""}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert_no_live_formula(fmt, publication, cells_of(fmt, body), hostile)


def test_every_csv_or_excel_writer_goes_through_the_one_helper():
    """A new CSV or Excel writer must neutralise through coproduction.spreadsheets too."""
    root = Path(__file__).resolve().parents[2]
    writers = []
    for path in sorted(root.glob("[!.]*/**/*.py")):
        if "tests" in path.parts or ".venv" in path.parts or "node_modules" in path.parts:
            continue
        source = path.read_text()
        if path.name == "spreadsheets.py" and path.parent.name == "coproduction":
            continue
        if "import csv" in source or "openpyxl" in source:
            writers.append(path)
            assert "coproduction.spreadsheets" in source, f"{path.relative_to(root)} writes CSV or Excel without the helper"
    assert writers, "the export module was not found"


@pytest.mark.parametrize(
    "value,written",
    [
        ('\x01=HYPERLINK("http://evil.example/","Open")', '\'=HYPERLINK("http://evil.example/","Open")'),
        ("=1+1", "'=1+1"),
        ("\x00\x0b=1", "'=1"),
        ("\t=1", "'\t=1"),
        ("  @x", "'  @x"),
        ("\uff0b1", "'\uff0b1"),
        ("Street safety", "Street safety"),
        ("A - B", "A - B"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_the_helper_strips_first_and_neutralises_last(value, written):
    assert spreadsheet_cell(value) == written
