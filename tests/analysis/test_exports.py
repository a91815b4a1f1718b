"""Exports: CSV (streamed), XLSX, codebook, PDF report, publication mode, withdrawal, audit,
the management command, and large exports as background jobs."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from coproduction import pdf
from coproduction.analysis import builders, report, tasks
from coproduction.models import AuditEvent, Document, ExportJob, Role
from tests.analysis.factories import ThemeFactory, code, make_document
from tests.factories import member


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def url(world, name, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def build(project, fmt, publication=False) -> bytes:
    out = io.BytesIO()
    builders.build(project, fmt, publication, out)
    return out.getvalue()


@pytest.fixture
def consented(world):
    """Three documents: consent to quotes, no consent to quotes, and an event with no participant."""
    theme = ThemeFactory(project=world.project, name="Street safety")
    yes = make_document(world.project, text="Published words here. More.", quotes_published=True)
    no = make_document(world.project, text="Private words here. More.", quotes_published=False, cohort="Resident")
    event = make_document(world.project, text="Event words here. More.", with_participant=False, cohort="Resident")
    for document in (yes, no, event):
        code(document, 0, 21, [theme], world.analyst)
    world.extra.update(theme=theme, yes=yes, no=no, event=event)
    return world


def test_csv_export_is_streamed_with_every_column_and_audited(corpus, client_for):
    response = client_for(corpus.analyst).post(url(corpus, "export"), {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="riverside-excerpts.csv"'
    rows = read_csv(response)
    assert rows[0] == ["Theme", "Quote", "Document", "Cohort", "Participant", "Coder", "Start", "End"]
    quotes = {(row[0], row[1]) for row in rows[1:]}
    assert ("Street safety › Lighting", "The lamp is dark.") in quotes and len(rows) == 1 + 5
    participant = corpus.extra["first"].participant.code
    assert any(row[4] == participant and row[5] == str(corpus.analyst) for row in rows[1:])
    event = AuditEvent.objects.get(action="export.csv")
    assert event.actor == corpus.analyst and event.project == corpus.project


def test_csv_neutralises_spreadsheet_formulas(world, client_for):
    theme = ThemeFactory(project=world.project, name="=HYPERLINK(1)")
    document = make_document(world.project, text="=cmd|' /C calc'!A0 and more text")
    code(document, 0, 18, [theme], world.analyst)
    rows = read_csv(client_for(world.analyst).post(url(world, "export"), {"format": "csv"}))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][1].startswith("'=cmd")


def test_xlsx_export_has_excerpts_codebook_and_matrix(corpus, client_for):
    response = client_for(corpus.analyst).post(url(corpus, "export"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Excerpts", "Codebook", "Theme by cohort", "About"]
    assert list(workbook["About"].values)[1] == ("Counts from all coders' codings.",)
    excerpts = list(workbook["Excerpts"].values)
    assert excerpts[0][:3] == ("Theme", "Quote", "Document") and len(excerpts) == 6
    codebook = list(workbook["Codebook"].values)
    assert codebook[1][1] == "Street safety" and codebook[1][0] == str(corpus.extra["safety"].guid)


def test_codebook_csv(corpus, client_for):
    response = client_for(corpus.analyst).post(url(corpus, "export"), {"format": "codebook-csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["GUID", "Theme", "Description", "Colour", "Status", "Passages", "Documents", "Participants"]
    assert rows[1][1:2] == ["Street safety"] and rows[1][5:] == ["3", "2", "2"]


def test_publication_mode_keeps_only_consented_quotes_and_hides_people(consented, client_for):
    world = consented
    rows = read_csv(client_for(world.analyst).post(url(world, "export"), {"format": "csv", "publication": "on"}))
    assert rows[0] == ["Theme", "Quote", "Cohort"]
    assert [row[1] for row in rows[1:]] == ["Published words here."]
    assert AuditEvent.objects.filter(action="export.csv.publication").exists()


def test_publication_mode_suppresses_counts(consented):
    data = build(consented.project, "codebook-csv", publication=True).decode("utf-8")
    assert "<10" in data and ",3," not in data


def test_publication_report_uses_only_consented_quotes(consented):
    world = consented
    for document in (world.extra["yes"], world.extra["no"], world.extra["event"]):
        document.excerpts.update(chosen_for_report=True)
    html = report.report_html(world.project, publication=True)
    assert "Published words here." in html and "Private words here." not in html and "Event words here." not in html
    assert "&lt;10" in html
    internal = report.report_html(world.project, publication=False)
    assert "Private words here." in internal


def test_a_withdrawn_consent_to_quotes_is_respected(consented):
    world = consented
    world.extra["yes"].participant.consents.update(withdrawn_at=timezone.now())
    assert "Published words" not in build(world.project, "csv", publication=True).decode("utf-8")


def test_deleting_a_participants_documents_removes_them_from_every_later_export(consented):
    world = consented
    participant = world.extra["yes"].participant
    before = build(world.project, "csv").decode("utf-8")
    assert "Published words" in before
    Document.objects.filter(participant=participant).delete()  # what withdrawal does
    for fmt in ("csv", "xlsx", "qdpx"):
        data = build(world.project, fmt)
        assert b"Published words" not in data
        assert participant.code.encode() not in data
    html = report.report_html(world.project, publication=False)
    assert "Published words" not in html


def test_a_withdrawn_participant_is_left_out_even_before_deletion(consented):
    world = consented
    participant = world.extra["yes"].participant
    participant.withdrawn_at = timezone.now()
    participant.save(update_fields=["withdrawn_at"])
    assert "Published words" not in build(world.project, "csv").decode("utf-8")


def test_pdf_report(corpus, client_for):
    corpus.extra["first"].excerpts.update(chosen_for_report=True)
    response = client_for(corpus.analyst).post(url(corpus, "export"), {"format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    html = report.report_html(corpus.project, publication=False)
    # The chart is bars in the HTML (no picture to draw); the quotes and themes are there.
    assert 'class="bar"' in html and "The lamp is dark." in html and "Street safety" in html
    assert AuditEvent.objects.filter(action="export.pdf").exists()


def test_report_fetches_nothing_remote():
    with pytest.raises(pdf.RemoteFetchRefused):
        pdf.LocalOnlyFetcher().fetch("https://example.org/tracker.png")
    with pytest.raises(pdf.RemoteFetchRefused):
        pdf.LocalOnlyFetcher().fetch("file:///etc/passwd")
    assert pdf.LocalOnlyFetcher().fetch("data:text/plain,hi").read() == b"hi"


def test_exports_are_for_analysts_only(corpus, client_for):
    for user in (corpus.peer, corpus.supervisor):
        assert client_for(user).post(url(corpus, "export"), {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="export").exists()


def test_bad_export_form(corpus, client_for):
    response = client_for(corpus.analyst).post(url(corpus, "export"), {"format": "docx"})
    assert response.status_code == 200 and "There is a problem" in response.text


# ---- the management command -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt,magic",
    [
        ("csv", b"\xef\xbb\xbf"),
        ("xlsx", b"PK"),
        ("qdc", b"<?xml"),
        ("qdpx", b"PK"),
        ("qdpx-nvivo", b"PK"),
        ("taguette-csv", b"\xef\xbb\xbftag,description"),
        ("pdf", b"%PDF"),
    ],
)
def test_export_project_command(corpus, tmp_path, fmt, magic):
    output = tmp_path / f"out.{fmt}"
    call_command("export_project", project=corpus.project.slug, format=fmt, output=str(output), stdout=io.StringIO())
    assert output.read_bytes().startswith(magic)
    assert AuditEvent.objects.filter(action__startswith="export.", action__endswith=".command").exists()


def test_export_project_command_with_publication(consented, tmp_path):
    output = tmp_path / "pub.csv"
    call_command(
        "export_project", "--project", consented.project.slug, "--format", "csv", "--publication", "--output", str(output)
    )
    assert "Private words" not in output.read_text(encoding="utf-8")


def test_export_project_command_refuses_bad_input(corpus, tmp_path):
    with pytest.raises(CommandError, match="No project"):
        call_command("export_project", project="nope", format="csv", output=str(tmp_path / "x.csv"))
    existing = tmp_path / "exists.csv"
    existing.write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("export_project", project=corpus.project.slug, format="csv", output=str(existing))
    assert existing.read_text() == "keep me"
    with pytest.raises(CommandError):
        call_command("export_project", project=corpus.project.slug, format="docx", output=str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_project", project=corpus.project.slug, format="csv", output=str(tmp_path / "no" / "x.csv"))


# ---- large exports in the background -----------------------------------------------------


@pytest.fixture
def run_tasks_now(monkeypatch):
    monkeypatch.setattr(tasks.run_export_job_task, "apply_async", lambda args, expires: tasks.run_export_job(args[0]))


def test_large_export_becomes_a_private_background_job(
    corpus, client_for, settings, run_tasks_now, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BACKGROUND_EXPORT_ROWS = 2
    client = client_for(corpus.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(corpus, "export"), {"format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == url(corpus, "export_job", pk=job.pk)
    assert (job.status, job.progress, job.requested_by) == (ExportJob.Status.DONE, 100, corpus.analyst)
    page = client.get(url(corpus, "export_job", pk=job.pk))
    assert "Download the file" in page.text and "js/progress.js" in page.text
    status = client.get(url(corpus, "export_job_status", pk=job.pk)).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["download_url"]
    download = client.get(url(corpus, "export_job_download", pk=job.pk))
    assert download.status_code == 200 and b"The lamp is dark." in b"".join(download.streaming_content)
    assert AuditEvent.objects.filter(action="export.requested.csv").exists()
    assert AuditEvent.objects.filter(action="export.downloaded.csv").exists()
    # Nobody else gets the file: not the coordinator, not another analyst.
    other_analyst = member(corpus.project, Role.ANALYST)
    for user in (corpus.coordinator, other_analyst):
        assert client_for(user).get(url(corpus, "export_job_download", pk=job.pk)).status_code == 404
        assert client_for(user).get(url(corpus, "export_job_status", pk=job.pk)).status_code == 404


def test_job_reports_progress_while_it_runs(corpus, settings):
    seen = []
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.CSV)
    document = make_document(corpus.project, text="word " * 500)
    # Over three themes: PostgreSQL's COPY reports progress between batches of themes.
    themes = [corpus.extra[name] for name in ("safety", "lighting", "services")]
    for i in range(450):
        code(document, i * 5, i * 5 + 4, [themes[i // 150]], corpus.analyst)
    original = ExportJob.objects.filter

    def spy(*args, **kwargs):
        queryset = original(*args, **kwargs)
        update = queryset.update

        def recording_update(**fields):
            if "progress" in fields:
                seen.append(fields["progress"])
            return update(**fields)

        queryset.update = recording_update
        return queryset

    ExportJob.objects.filter = spy
    try:
        assert tasks.run_export_job(job.pk) is True
    finally:
        ExportJob.objects.filter = original
    assert seen[:2] and 0 < seen[0] < 100 and seen[-1] == 100
    assert tasks.run_export_job(job.pk) is False  # already done: nothing to do twice


def test_old_exports_are_deleted_after_the_retention_period(corpus, settings):
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.QDC)
    tasks.run_export_job(job.pk)
    job.refresh_from_db()
    path = tasks.export_dir() / job.file_name
    assert path.exists()
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        assert tasks.delete_old_exports() == 0
    with time_machine.travel(timezone.now() + timedelta(days=settings.EXPORT_RETENTION_DAYS, minutes=1), tick=False):
        assert tasks.delete_old_exports() == 1
    assert not path.exists() and not ExportJob.objects.exists()


def test_cleanup_is_scheduled(settings):
    assert any(entry["task"] == "analysis.delete_old_exports" for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_a_failing_export_is_marked_failed_and_leaves_no_file(corpus, monkeypatch):
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.PDF)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(report, "write_pdf", broken)
    assert tasks.run_export_job(job.pk) is False
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not list(tasks.export_dir().iterdir())


def test_codebook_xlsx(corpus, client_for):
    response = client_for(corpus.analyst).post(url(corpus, "export"), {"format": "codebook-xlsx", "publication": "on"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True)["Codebook"].values)
    assert rows[0][0] == "GUID" and rows[1][1] == "Street safety" and rows[1][5] == "<10"


def test_export_project_command_stops_cleanly_on_sigterm(corpus, tmp_path, monkeypatch):
    import os
    import signal

    output = tmp_path / "stopped.pdf"
    before = signal.getsignal(signal.SIGTERM)

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(report, "write_pdf", interrupted)
    with pytest.raises(CommandError, match="Stopped"):
        call_command("export_project", project=corpus.project.slug, format="pdf", output=str(output))
    assert not output.exists()
    assert signal.getsignal(signal.SIGTERM) == before  # the usual handler is back


def test_kept_export_files_are_deleted_when_a_document_leaves_the_corpus(consented, django_capture_on_commit_callbacks):
    world = consented
    job = ExportJob.objects.create(project=world.project, requested_by=world.analyst, format=ExportJob.Format.CSV)
    tasks.run_export_job(job.pk)
    job.refresh_from_db()
    path = tasks.export_dir() / job.file_name
    assert b"Published words" in path.read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.filter(participant=world.extra["yes"].participant).delete()  # withdrawal
    assert not path.exists() and not ExportJob.objects.exists()


def test_xlsx_survives_control_characters_and_formulas(world):
    theme = ThemeFactory(project=world.project, name="Odd\x0bcharacters")
    document = make_document(world.project, text="=SUM(A1)\x01 with a control character")
    code(document, 0, 20, [theme], world.analyst)
    workbook = load_workbook(io.BytesIO(build(world.project, "xlsx")), read_only=True)
    row = list(workbook["Excerpts"].values)[1]
    assert row[0] == "Oddcharacters" and row[1].startswith("'=SUM(A1)") and "\x01" not in row[1]


def test_a_job_withdrawn_while_it_runs_leaves_no_file(consented, monkeypatch, django_capture_on_commit_callbacks):
    """A participant withdraws while their words are being written into an export: the job's
    row goes, and the worker, finding it gone, deletes the file it wrote."""
    world = consented
    job = ExportJob.objects.create(project=world.project, requested_by=world.analyst, format=ExportJob.Format.CSV)
    real_build = tasks.builders.build

    def build_then_withdrawal(project, format, publication, out, progress):
        real_build(project, format, publication, out, progress)
        with django_capture_on_commit_callbacks(execute=True):
            Document.objects.filter(participant=world.extra["yes"].participant).delete()

    monkeypatch.setattr(tasks.builders, "build", build_then_withdrawal)
    assert tasks.run_export_job(job.pk) is False
    assert not ExportJob.objects.exists()
    assert list(tasks.export_dir().iterdir()) == []


def test_the_clean_up_deletes_files_whose_job_is_gone(corpus):
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.QDC)
    tasks.run_export_job(job.pk)
    job.refresh_from_db()
    kept = tasks.export_dir() / job.file_name
    orphan = tasks.export_dir() / "999999-elsewhere.csv"
    orphan.write_text("left behind")
    assert tasks.delete_old_exports() == 1
    assert kept.exists() and not orphan.exists()


def test_a_failing_export_logs_no_words_of_the_corpus(corpus, monkeypatch, caplog):
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.PDF)

    def broken(*args, **kwargs):
        raise ValueError("could not place the quote 'the van on Mill Lane'")

    monkeypatch.setattr(report, "write_pdf", broken)
    assert tasks.run_export_job(job.pk) is False
    assert "Mill Lane" not in caplog.text
    assert f"export job {job.pk} failed: ValueError" in caplog.text
