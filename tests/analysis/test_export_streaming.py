"""Exports that stream: rows read a chunk at a time as plain values (the quote cut out in the
database), the .qdpx written member by member from the project's coding set, the PDF's chart
drawn by its HTML, and a background job's progress in rows."""

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from coproduction.analysis import consensus, exports, refiqda, tasks
from coproduction.analysis.report import report_context, report_html
from coproduction.models import ExportJob
from coproduction.spreadsheets import csv_lines
from tests.analysis.factories import ThemeFactory, code, make_document

pytestmark = pytest.mark.django_db

NS = {"p": refiqda.PROJECT_NS}
HOSTILE = 'Said "no, never",\nthen left 🙂 — =SUM(1) café, 😀 end.'


def csv_rows(project, publication=False):
    text = "".join(csv_lines(exports.excerpt_rows(project, publication)))
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


@pytest.fixture
def pair(world):
    """Two coders on one hostile text: T agreed on [0,10), U by the first and V by the second
    on [10,20)."""
    document = make_document(world.project, text=HOSTILE, cohort="Resident")
    t, u, v = (ThemeFactory(project=world.project, name=name) for name in "TUV")
    for coder, themes in ((world.analyst, [t]), (world.peer, [t])):
        code(document, 0, 10, themes, coder)
    code(document, 10, 20, [u], world.analyst)
    code(document, 10, 20, [v], world.peer)
    world.extra.update(document=document, t=t, u=u, v=v)
    return world


def test_csv_rows_are_the_coded_passages_cut_from_the_text(pair):
    document = pair.extra["document"]
    rows = csv_rows(pair.project)
    assert rows[0] == exports.EXCERPT_HEADER
    quotes = sorted((row[0], row[1], row[5], row[6], row[7]) for row in rows[1:])
    assert quotes == sorted(
        [
            ("T", HOSTILE[0:10], str(pair.analyst), "0", "10"),
            ("T", HOSTILE[0:10], str(pair.peer), "0", "10"),
            ("U", HOSTILE[10:20], str(pair.analyst), "10", "20"),
            ("V", HOSTILE[10:20], str(pair.peer), "10", "20"),
        ]
    )
    assert {row[2] for row in rows[1:]} == {document.title}


def test_publication_joins_overlapping_passages_from_their_own_slices(world):
    theme = ThemeFactory(project=world.project, name="Safety")
    document = make_document(world.project, text=HOSTILE)
    code(document, 0, 12, [theme], world.analyst)
    code(document, 5, 30, [theme], world.peer)  # overlaps the first: one quote
    code(document, 35, 40, [theme], world.analyst)  # apart: a quote of its own
    rows = csv_rows(world.project, publication=True)
    assert rows[1:] == [["Safety", HOSTILE[0:30], "Sex worker"], ["Safety", HOSTILE[35:40], "Sex worker"]]


def test_the_csv_takes_the_same_queries_however_many_codings(world):
    theme = ThemeFactory(project=world.project)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            csv_rows(world.project)
        return len(captured)

    code(make_document(world.project, text=HOSTILE), 0, 5, [theme], world.analyst)
    few = queries()
    for _ in range(5):
        document = make_document(world.project, text=HOSTILE)
        code(document, 0, 5, [theme], world.analyst)
        code(document, 6, 12, [theme], world.peer)
    assert queries() == few


def test_a_page_download_is_streamed_in_blocks(pair, client_for):
    response = client_for(pair.analyst).post(reverse("analysis:export", kwargs={"slug": pair.project.slug}), {"format": "csv"})
    assert response.streaming
    blocks = list(response.streaming_content)
    assert len(blocks) == 1  # a small file is one block, not one chunk per row
    assert blocks[0].decode("utf-8").count("\r\n") >= 5


def _adjudicated(world):
    adjudication = consensus.start_adjudication(world.project, world.analyst, world.peer, by=world.analyst)
    consensus.decide(adjudication, world.extra["document"], 10, 20, "both", by=world.analyst)
    return adjudication


def _project_file(project, publication=False):
    archive = zipfile.ZipFile(io.BytesIO(refiqda.qdpx_bytes(project, publication)))
    return archive, etree.fromstring(archive.read("project.qde"))


def test_the_qdpx_carries_the_consensus_when_there_is_one(pair):
    adjudication = _adjudicated(pair)
    archive, root = _project_file(pair.project)
    refiqda.validate(archive.read("project.qde"), "Project.xsd")
    selections = root.findall(".//p:PlainTextSelection", NS)
    spans = sorted((s.get("startPosition"), s.get("endPosition"), len(s.findall("p:Coding", NS))) for s in selections)
    # One selection per consensus span (T agreed once, not once per coder; U and V both kept).
    assert spans == [("0", "10", 1), ("10", "20", 2)]
    adjudicator = root.find(f"p:Users/p:User[@guid='{adjudication.started_by.guid}']", NS)
    assert adjudicator is not None and {s.get("creatingUser") for s in selections} == {adjudicator.get("guid")}
    assert "The codings are the consensus coding." in root.find("p:Description", NS).text
    # The same GUIDs in a second export of the same consensus; none of them a coder's excerpt.
    again = sorted(s.get("guid") for s in _project_file(pair.project)[1].findall(".//p:PlainTextSelection", NS))
    assert again == sorted(s.get("guid") for s in selections)
    assert not {str(e.guid) for e in pair.extra["document"].excerpts.all()} & set(again)
    assert archive.read(f"sources/{pair.extra['document'].guid}.txt").decode("utf-8") == HOSTILE


def test_the_consensus_qdpx_for_publication_still_names_no_one(pair):
    _adjudicated(pair)
    _archive, root = _project_file(pair.project, publication=True)
    assert root.find("p:Users", NS) is None
    for element in root.iter():
        assert not {"creatingUser", "creationDateTime"} & set(element.attrib), element.tag
    assert len(root.findall(".//p:PlainTextSelection", NS)) == 2


def test_the_export_page_says_which_coding_set_every_export_uses(pair, client_for):
    page = lambda: client_for(pair.analyst).get(reverse("analysis:export", kwargs={"slug": pair.project.slug})).text  # noqa: E731
    assert "Every export is made from all coders&#x27; codings" in page()
    _adjudicated(pair)
    assert "Every export is made from the consensus coding" in page() and "REFI-QDA project (one selection per" in page()


def test_the_report_draws_its_chart_as_bars_and_hides_small_counts(pair):
    context = report_context(pair.project, publication=False)
    bars = {bar.cohort: bar for bar in dict(context["bars"])["T"]}
    assert (bars["Resident"].label, bars["Resident"].percent) == ("1", 85)
    assert all(bar.percent == 0 for cohort, bar in bars.items() if cohort != "Resident")
    public = {bar.cohort: bar for bar in dict(report_context(pair.project, publication=True)["bars"])["T"]}
    assert (public["Resident"].label, public["Resident"].percent) == (f"<{pair.project.small_number_threshold}", 0)
    html = report_html(pair.project, publication=False)
    assert "<img" not in html and 'class="bar"' in html
    # A publication chart of nothing but small counts says why in words instead of empty bars.
    public_html = report_html(pair.project, publication=True)
    assert 'class="bar"' not in public_html and "No bars are drawn" in public_html


def test_the_report_quotes_the_chosen_passages_once(pair):
    for excerpt in pair.extra["document"].excerpts.filter(start=0):
        excerpt.chosen_for_report = True
        excerpt.save(update_fields=["chosen_for_report"])
    themes = {row.theme.name: quotes for row, _labels, quotes in report_context(pair.project, False)["themes"]}
    assert [(q.text, q.cohort) for q in themes["T"]] == [(HOSTILE[0:10], "Resident")]


@pytest.mark.parametrize("fmt", [ExportJob.Format.CSV, ExportJob.Format.QDPX])
def test_a_background_job_reports_rows_done_of_rows_total(world, fmt, monkeypatch):
    # Five themes of fifty: PostgreSQL's COPY reports progress between batches of themes.
    themes = [ThemeFactory(project=world.project) for _ in range(5)]
    document = make_document(world.project, text="word " * 300)
    for i in range(250):
        code(document, i * 5, i * 5 + 4, [themes[i // 50]], world.analyst)
    job = ExportJob.objects.create(project=world.project, requested_by=world.analyst, format=fmt)
    seen = []
    original = tasks.builders.build

    def build(*args, **kwargs):
        progress = kwargs.get("progress") or args[4]

        def recording(done, total):
            progress(done, total)
            seen.append(ExportJob.objects.get(pk=job.pk).state_description)

        return original(*args[:4], recording)

    monkeypatch.setattr(tasks.builders, "build", build)
    assert tasks.run_export_job(job.pk) is True
    assert "Being made: 200 of 250 rows (80%)" in seen
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.progress) == (ExportJob.Status.DONE, 200, 100)


def test_the_progress_page_refreshes_itself_without_javascript_while_running(world, client_for):
    job = ExportJob.objects.create(
        project=world.project,
        requested_by=world.analyst,
        format="csv",
        status=ExportJob.Status.RUNNING,
        rows_done=4000,
        rows_total=10000,
        progress=40,
    )
    client = client_for(world.analyst)
    job_url = reverse("analysis:export_job", kwargs={"slug": world.project.slug, "pk": job.pk})
    page = client.get(job_url).text
    assert "Being made: 4,000 of 10,000 rows (40%)" in page
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in page
    status = client.get(reverse("analysis:export_job_status", kwargs={"slug": world.project.slug, "pk": job.pk})).json()
    assert (status["rows_done"], status["rows_total"]) == (4000, 10000)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.DONE, progress=100)
    assert "http-equiv" not in client.get(job_url).text
