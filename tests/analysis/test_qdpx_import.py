"""Importing REFI-QDA projects (.qdpx) and codebooks (.qdc): a dry run first, then every text
through the anonymisation gate, codings attached on release and re-checked against the released
text; QualCoder's categories and Taguette's dotted names mapped; hostile files refused whole."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coproduction.analysis import refiqda, refiqda_import
from coproduction.models import AuditEvent, Coding, Document, ImportBatch, ImportedSource, Memo, NotesDraft, Theme
from coproduction.models.codebook import theme_paths
from coproduction.notes import actions as gate
from tests.analysis.import_factories import import_texts, qdpx
from tests.factories import ProjectFactory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "refiqda"
MARCH = datetime.date(2026, 3, 1)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def upload(client, project, name: str, data: bytes, cohort=None):
    return client.post(
        reverse("analysis:project_import", kwargs={"slug": project.slug}),
        {"file": SimpleUploadedFile(name, data), "cohort": cohort or project.cohorts[0], "month": "2026-03-14"},
    )


def confirm(client, project, response):
    token = response.context["token"]
    return client.post(reverse("analysis:project_import_confirm", kwargs={"slug": project.slug}), {"token": token})


def counts():
    return (Theme.objects.count(), ImportedSource.objects.count(), NotesDraft.objects.count(), Document.objects.count())


def release(imported, by):
    imported.refresh_from_db()
    return gate.release_notes(imported.notes, by=by)


def test_dry_run_lists_everything_and_saves_nothing(world, client_for):
    client = client_for(world.members["coordinator"])
    before = counts()
    response = upload(client, world.project, "qualcoder.qdpx", fixture("qualcoder.qdpx"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check what the import will do" in page
    assert "1 set of codes or sources" in page  # Sets dropped and said
    assert "becomes a retired theme" in page  # the category mapped
    assert "The file&#x27;s users" in page or "The file's users" in page
    assert "Text 1" in page and "a draft awaiting PII review" in page
    assert "other variable value" in page
    assert counts() == before


def test_confirm_puts_every_text_through_the_gate_and_release_attaches_codings(world, client_for):
    coordinator = world.members["coordinator"]
    client = client_for(coordinator)
    response = confirm(client, world.project, upload(client, world.project, "qualcoder.qdpx", fixture("qualcoder.qdpx")))
    batch = ImportBatch.objects.get(project=world.project)
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{batch.pk}/")
    assert AuditEvent.objects.filter(action="import.confirmed").count() == 1
    # Nothing in the corpus yet: drafts of owner "import", on the shared review list.
    assert not Document.objects.filter(project=world.project).exists()
    sources = list(batch.sources.order_by("position"))
    assert [s.notes.owner_kind for s in sources] == ["import", "import"]
    assert sources[0].cohort == "Resident"  # from the file's cohort Variable
    assert sources[1].cohort == world.project.cohorts[0]  # chosen on the form
    assert sources[0].month == MARCH
    review = client.get(reverse("notes:review_list", kwargs={"slug": world.project.slug}))
    assert "Imported text 1 of import" in review.content.decode()
    assert "Zoë" not in review.content.decode()
    # The category became a retired parent; its child is codable.
    safety = Theme.objects.get(project=world.project, name="Safety")
    lighting = Theme.objects.get(project=world.project, name="Lighting")
    assert safety.status == Theme.Status.RETIRED and lighting.parent == safety and lighting.status == Theme.Status.ACTIVE
    # Release through the review page.
    first = sources[0]
    url = reverse("analysis:imported_review", kwargs={"slug": world.project.slug, "pk": first.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": "release", "comment": ""}).status_code == 302
    first.refresh_from_db()
    document = first.document
    assert document.source == Document.Source.IMPORT
    assert "Zoë" not in document.title and document.participant is None
    quotes = {(c.theme.name, c.excerpt.quote) for c in Coding.objects.filter(excerpt__document=document)}
    assert quotes == {("Lighting", "lighting by the café is broken 💡"), ("Support services", "Outreach helps")}
    assert Memo.objects.get(excerpt__document=document).text == "Lighting comes up again ✨"
    assert first.pending_codings == [] and first.pending_content == {}


def test_a_redaction_drops_the_codings_on_changed_text_and_moves_the_others(world):
    coordinator = world.members["coordinator"]
    text = "Call me on 07700 900123 please.\nThe street is dark at night.\n"
    dark = (text.index("street is dark"), text.index("street is dark") + len("street is dark"))
    phone = (text.index("07700"), text.index("please"))
    batch = import_texts(world.project, coordinator, [text], [[phone, dark]])
    imported = batch.sources.get()
    draft = imported.notes
    assert draft.status == NotesDraft.Status.WRITING  # the phone number must be resolved first
    finding = gate.findings_for(draft)[0]
    gate.redact_finding(draft, finding_id=finding.id, version=draft.version, by=coordinator)
    gate.submit_notes(draft, by=coordinator)
    document = release(imported, coordinator)
    quotes = [c.excerpt.quote for c in Coding.objects.filter(excerpt__document=document)]
    assert quotes == ["street is dark"]
    batch.refresh_from_db()
    assert len(batch.dropped_at_release) == 1 and "the review changed that text" in batch.dropped_at_release[0]
    assert "07700" not in " ".join(batch.dropped_at_release)


def test_a_second_qualcoder_codebook_with_new_guids_matches_by_name_and_parent(world):
    coordinator = world.members["coordinator"]
    first = refiqda_import.read_codebook(fixture("qualcoder.qdc"))
    refiqda_import.confirm_import(world.project, first, cohort="Resident", month=MARCH, by=coordinator)
    themes = Theme.objects.filter(project=world.project).count()
    again = refiqda_import.read_codebook(fixture("qualcoder-again.qdc"))
    plan = refiqda_import.plan_import(world.project, again, cohort="Resident", month=MARCH)
    assert not plan.created and len(plan.matched) == 3
    assert all("by name and parent" in line for line in plan.matched)
    assert any("set" in line for line in plan.dropped)
    refiqda_import.confirm_import(world.project, again, cohort="Resident", month=MARCH, by=coordinator)
    assert Theme.objects.filter(project=world.project).count() == themes == 3


def test_taguette_dotted_names_rebuild_the_hierarchy(world):
    parsed = refiqda_import.read_codebook(fixture("taguette.qdc"))
    plan = refiqda_import.plan_import(world.project, parsed, cohort="Resident", month=MARCH)
    assert any("safety › lighting" in line for line in plan.mapped)
    refiqda_import.confirm_import(world.project, parsed, cohort="Resident", month=MARCH, by=world.members["coordinator"])
    safety = Theme.objects.get(project=world.project, name="safety", parent=None)
    assert safety.description == "Sécurité" and safety.status == Theme.Status.ACTIVE
    assert Theme.objects.get(project=world.project, name="lighting").parent == safety
    services = Theme.objects.get(project=world.project, name="services")
    assert services.status == Theme.Status.RETIRED  # a folder no tag stands for
    assert Theme.objects.get(project=world.project, name="outreach").parent == services


def _signature(project):
    paths = theme_paths(list(project.themes.all()))
    themes = {(paths[t.pk], t.status) for t in project.themes.all()}
    codings = {
        (paths[c.theme_id], c.excerpt.quote)
        for c in Coding.objects.filter(theme__project=project).select_related("excerpt__document")
    }
    return themes, codings


def test_our_own_qdpx_round_trips_without_losing_themes_or_codings(corpus):
    source_project = corpus.project
    data = refiqda.qdpx_bytes(source_project, False)
    target = ProjectFactory(name="Copy", slug="copy", cohorts=list(source_project.cohorts))
    coordinator = corpus.members["coordinator"]
    parsed = refiqda_import.read_qdpx(data)
    batch = refiqda_import.confirm_import(target, parsed, cohort=target.cohorts[0], month=MARCH, by=coordinator)
    for imported in batch.sources.all():
        assert imported.notes.status == NotesDraft.Status.SUBMITTED
        release(imported, coordinator)
    assert _signature(target) == _signature(source_project)
    again = refiqda_import.read_qdpx(refiqda.qdpx_bytes(target, False))
    assert len(again.sources) == 2 and sum(len(s.selections) for s in again.sources) == 4


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD_QDE = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
    '<CodeBook><Codes><Code guid="c0de0000-0000-4000-8000-000000000001" name="Safety" isCodable="true"/></Codes></CodeBook>'
    '<Sources><TextSource guid="e0000000-0000-4000-8000-000000000009" name="s" plainTextPath="internal://missing.txt"/></Sources></Project>'
)

BAD_FILES = {
    "not a zip": (b"this is plain text, not an archive", "is not one"),
    "zip bomb": (_zip({"project.qde": b"<Project/>", "sources/big.txt": b"\0" * (20 * 1024 * 1024)}), "zip bomb"),
    "path traversal": (_zip({"project.qde": b"<Project/>", "../../etc/passwd": b"x"}), "unsafe path"),
    "absolute path": (_zip({"project.qde": b"<Project/>", "/etc/passwd": b"x"}), "unsafe path"),
    "malformed XML": (_zip({"project.qde": b"<Project><Sources>"}), "not well-formed XML"),
    "entities": (
        _zip({"project.qde": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Project name="x">&a;</Project>'}),
        "DTD or entities",
    ),
    "no project.qde": (_zip({"other.txt": b"x"}), "no project.qde"),
    "source file missing": (_zip({"project.qde": GOOD_QDE.encode()}), "not in the archive"),
    "coding outside the text": (qdpx(["Short text."], [[(3, 500)]]), "lies outside its text"),
    "schema-invalid": (
        _zip({"project.qde": b'<Project xmlns="urn:QDA-XML:project:1.0"><Unknown/></Project>'}),
        "does not follow the REFI-QDA schema",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(world, client_for, case):
    data, message = BAD_FILES[case]
    client = client_for(world.members["coordinator"])
    before = counts()
    response = upload(client, world.project, "project.qdpx", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'") and "Nothing was imported" in page
    assert response.context["token"] is None
    assert counts() == before
    # The form keeps what was chosen.
    assert response.context["form"]["cohort"].value() == world.project.cohorts[0]


def test_only_expected_members_are_read(world):
    data = qdpx(["Some text."], extra_member=("sources/unrelated.bin", b"\x00" * 10))
    parsed = refiqda_import.read_qdpx(data)
    assert any("1 other file in the archive (not read)" in line for line in parsed.dropped)


def test_a_confirmation_works_once_for_its_uploader_in_its_project(world, client_for):
    coordinator = world.members["coordinator"]
    client = client_for(coordinator)
    response = upload(client, world.project, "qualcoder.qdc", fixture("qualcoder.qdc"))
    token = response.context["token"]
    url = reverse("analysis:project_import_confirm", kwargs={"slug": world.project.slug})
    # Another coordinator of the project cannot use it.
    other = client_for(world.outsiders["coordinator"])
    other_url = reverse("analysis:project_import_confirm", kwargs={"slug": world.other_project.slug})
    assert other.post(other_url, {"token": token}).status_code == 400
    client = client_for(coordinator)
    assert client.post(url, {"token": token}).status_code == 302
    again = client.post(url, {"token": token})
    assert again.status_code == 400 and "expired or was already confirmed" in again.content.decode()
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize("role", ["analyst", "peer_researcher", "supervisor"])
def test_others_are_refused(world, client_for, role):
    client = client_for(world.members[role])
    response = upload(client, world.project, "qualcoder.qdc", fixture("qualcoder.qdc"))
    assert response.status_code == 403
    assert not Theme.objects.exists()


def test_outsiders_and_anonymous_are_refused(world, client, client_for):
    url = reverse("analysis:project_import", kwargs={"slug": world.project.slug})
    assert client.get(url).status_code == 302 and "login" in client.get(url)["Location"]
    outsider = client_for(world.outsiders["coordinator"])
    assert outsider.get(url).status_code == 404
    imported = import_texts(world.project, world.members["coordinator"], ["Streets feel unsafe."]).sources.get()
    review = reverse("analysis:imported_review", kwargs={"slug": world.other_project.slug, "pk": imported.pk})
    assert outsider.get(review).status_code == 404


def _codebook(count: int) -> bytes:
    import uuid

    codes = "".join(
        f'<Code guid="{uuid.uuid4()}" name="Parent {n}" isCodable="false">'
        f'<Code guid="{uuid.uuid4()}" name="Child {n}" isCodable="true"/></Code>'
        for n in range(count)
    )
    return f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'.encode()


def test_a_codebook_imports_in_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = world.members["coordinator"]
    queries = []
    # Few enough rows for one INSERT per level on SQLite too (999 parameters a query).
    for count in (2, 60):
        parsed = refiqda_import.read_codebook(_codebook(count))
        with CaptureQueriesContext(connection) as captured:
            refiqda_import.confirm_import(world.project, parsed, cohort="Resident", month=MARCH, by=coordinator)
        queries.append(len(captured))
    assert queries[0] == queries[1]
    assert Theme.objects.filter(project=world.project).count() == 120  # the first two parents and children matched by name


def test_the_import_page_and_review_list_queries_stay_flat(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = world.members["coordinator"]
    client = client_for(coordinator)
    measured = []
    for texts in (1, 6):
        batch = import_texts(world.project, coordinator, ["Streets feel unsafe at night."] * texts)
        pages = [
            reverse("analysis:import_batch", kwargs={"slug": world.project.slug, "pk": batch.pk}),
            reverse("notes:review_list", kwargs={"slug": world.project.slug}),
        ]
        with CaptureQueriesContext(connection) as captured:
            for page in pages:
                assert client.get(page).status_code == 200
        measured.append(len(captured))
    assert measured[0] == measured[1]


@pytest.mark.serial
def test_a_large_codebook_plans_in_seconds(world):
    import time
    import uuid

    codes = "".join(f'<Code guid="{uuid.uuid4()}" name="Code {n}" isCodable="true"/>' for n in range(20_000))
    data = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'.encode()
    started = time.monotonic()
    plan = refiqda_import.plan_import(world.project, refiqda_import.read_codebook(data), cohort="Resident", month=MARCH)
    assert len(plan.created) == 20_000
    assert time.monotonic() - started < 10


def test_pending_text_no_key_opens_releases_nothing(world, field_keys):
    from coproduction.encryption import CannotOpen
    from tests.coproduction.test_field_encryption import foreign_token
    from tests.encrypted_records import write_column

    field_keys("current")
    coordinator = world.members["coordinator"]
    imported = import_texts(world.project, coordinator, ["Streets feel unsafe at night."], [[(0, 7)]]).sources.get()
    write_column(ImportedSource, "pending", imported.pk, foreign_token())
    draft = NotesDraft.objects.get(pk=imported.notes_id)
    with pytest.raises(CannotOpen) as raised:
        gate.release_notes(draft, by=coordinator)
    assert "Streets" not in str(raised.value)
    assert not Document.objects.exists() and not Coding.objects.exists()
    assert NotesDraft.objects.get(pk=draft.pk).status == NotesDraft.Status.SUBMITTED


def test_release_clears_what_has_not_passed_the_gate(world):
    coordinator = world.members["coordinator"]
    imported = import_texts(world.project, coordinator, ["Streets feel unsafe at night."], [[(0, 7)]]).sources.get()
    assert imported.name == "Source 1" and imported.pending_content["text"]
    release(imported, coordinator)
    imported.refresh_from_db()
    assert not imported.name and imported.pending_content == {} and imported.pending_codings == []
    assert Coding.objects.get().excerpt.quote == "Streets"


def test_the_analysts_codebook_import_also_matches_new_guids_by_name_and_parent(world):
    analyst = world.members["analyst"]
    refiqda.import_codebook(world.project, fixture("qualcoder.qdc"), by=analyst)
    report = refiqda.import_codebook(world.project, fixture("qualcoder-again.qdc"), by=analyst)
    assert report.created == 0 and report.updated == 3
    assert any("matched by name and parent" in line for line in report.not_carried_over)
    assert Theme.objects.filter(project=world.project).count() == 3
