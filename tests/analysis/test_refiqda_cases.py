"""REFI-QDA exchange beyond codes and codings: Cases (one per participant) and Variables (cohort,
month, coarse attributes) on Cases and TextSources; memos as Notes with a selection of their own;
warnings for what the format cannot carry (§7); NVivo's UTF-16 positions as an option; and a
codebook CSV that Taguette imports."""

import csv
import io
import uuid
import zipfile
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from coproduction.analysis import actions, builders, exports, refiqda
from coproduction.models import AttributeDefinition, AuditEvent, Document, Event, ExportJob, Theme
from tests.analysis.factories import ThemeFactory, code, give_consent, make_document
from tests.engagement.factories import held_event
from tests.factories import ParticipantFactory, UserFactory

NS = {"p": refiqda.PROJECT_NS}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def cases(world):
    """Two participants (one with two interviews, an age band and a stale value), one event's
    notes (no participant), a theme coded in each text, and a memo on a passage."""
    project = world.project
    AttributeDefinition.objects.create(project=project, name="Age band", choices=["18–24", "25–34", "35+"], order=0)
    AttributeDefinition.objects.create(project=project, name="Area", choices=["North", "South"], order=1)
    theme = ThemeFactory(project=project, name="Street safety")
    first = ParticipantFactory(project=project, cohort="Sex worker", attributes={"Age band": "25–34", "Area": "Old ward"})
    second = ParticipantFactory(project=project, cohort="Resident", attributes={"Area": "North"})
    for participant in (first, second):
        give_consent(participant, quotes_published=True)
    interviews = [
        make_document(project, participant=first, cohort="Sex worker", text="The lamp is dark. I feel unsafe."),
        make_document(project, participant=first, cohort="Sex worker", text="It is better now. The van helps."),
        make_document(project, participant=second, cohort="Resident", text="Streets feel unsafe at night."),
    ]
    event = Document.objects.create(
        project=project,
        source=Document.Source.EVENT,
        title="Resident conversation, July 2026",
        cohort="Resident",
        month=date(2026, 7, 1),
        text="People said the street is unsafe at night.",
        released_by=UserFactory(),
    )
    # The room was told its words might be quoted: the event's notes may be published.
    Event.objects.filter(pk=held_event(world).pk).update(document=event, ground_rules_allow_quotes=True)
    excerpts = [code(document, 0, 10, [theme], world.analyst) for document in [*interviews, event]]
    memo = actions.add_memo(project=project, author=world.analyst, text="Fear after dark, again", excerpt=excerpts[0])
    world.extra.update(theme=theme, first=first, second=second, interviews=interviews, event=event, excerpts=excerpts, memo=memo)
    return world


def project_file(project, publication=False, utf16=False):
    archive = zipfile.ZipFile(io.BytesIO(refiqda.qdpx_bytes(project, publication, utf16)))
    xml = archive.read("project.qde")
    refiqda.validate(xml, "Project.xsd")
    return etree.fromstring(xml)


def values_of(element, variables: dict[str, str]) -> dict[str, str]:
    """{variable name: text value} of the VariableValues directly inside element."""
    names = {guid: name for name, guid in variables.items()}
    return {
        names[value.find("p:VariableRef", NS).get("targetGUID")]: value.find("p:TextValue", NS).text
        for value in element.findall("p:VariableValue", NS)
    }


def variables_in(root) -> dict[str, str]:
    return {variable.get("name"): variable.get("guid") for variable in root.findall("p:Variables/p:Variable", NS)}


# ---- Cases and Variables -------------------------------------------------------------------


def test_each_participant_is_a_case_with_its_sources_and_variables(cases):
    root = project_file(cases.project)
    variables = variables_in(root)
    assert list(variables) == ["Cohort", "Month", "Age band", "Area"]
    assert {v.get("typeOfVariable") for v in root.findall("p:Variables/p:Variable", NS)} == {"Text"}
    case_elements = root.findall("p:Cases/p:Case", NS)
    assert [case.get("name") for case in case_elements] == [cases.extra["first"].code, cases.extra["second"].code]
    first, second = case_elements
    assert [ref.get("targetGUID") for ref in first.findall("p:SourceRef", NS)] == [
        str(d.guid) for d in cases.extra["interviews"][:2]
    ]
    assert [ref.get("targetGUID") for ref in second.findall("p:SourceRef", NS)] == [str(cases.extra["interviews"][2].guid)]
    # The event's notes have no participant: no Case refers to them.
    every_ref = {ref.get("targetGUID") for ref in root.iterfind("p:Cases/p:Case/p:SourceRef", NS)}
    assert str(cases.extra["event"].guid) not in every_ref
    assert every_ref <= {source.get("guid") for source in root.iterfind("p:Sources/p:TextSource", NS)}
    # Internally every recorded value travels, a stale one too.
    assert values_of(first, variables) == {"Cohort": "Sex worker", "Age band": "25–34", "Area": "Old ward"}
    assert values_of(second, variables) == {"Cohort": "Resident", "Area": "North"}


def test_every_text_source_carries_cohort_month_and_its_participants_attributes(cases):
    root = project_file(cases.project)
    variables = variables_in(root)
    sources = {source.get("guid"): source for source in root.iterfind("p:Sources/p:TextSource", NS)}
    interview = sources[str(cases.extra["interviews"][0].guid)]
    expected = {"Cohort": "Sex worker", "Month": "2026-05", "Age band": "25–34", "Area": "Old ward"}
    assert values_of(interview, variables) == expected
    event = sources[str(cases.extra["event"].guid)]
    assert values_of(event, variables) == {"Cohort": "Resident", "Month": "2026-07"}
    # VariableValue comes last inside a TextSource (Project.xsd's sequence).
    assert etree.QName(interview[-1]).localname == "VariableValue"


def test_case_and_variable_guids_are_the_same_in_every_export_and_differ_between_projects(cases):
    first, second = project_file(cases.project), project_file(cases.project)
    guids = [sorted(r.xpath("//p:Case/@guid | //p:Variable/@guid", namespaces=NS)) for r in (first, second)]
    assert guids[0] == guids[1] and len(guids[0]) == 6
    other = make_document(cases.other_project, text="Elsewhere words here.")
    code(other, 0, 9, [ThemeFactory(project=cases.other_project)], cases.analyst)
    theirs = project_file(cases.other_project).xpath("//p:Case/@guid | //p:Variable/@guid", namespaces=NS)
    assert theirs and not set(theirs) & set(guids[0])


def test_a_project_without_attributes_still_has_cohort_and_month(world):
    document = make_document(world.project, text="Short words only.")
    code(document, 0, 5, [ThemeFactory(project=world.project)], world.analyst)
    root = project_file(world.project)
    assert list(variables_in(root)) == ["Cohort", "Month"]
    assert len(root.findall("p:Cases/p:Case", NS)) == 1


def test_an_empty_project_has_no_cases_or_variables(world):
    root = project_file(world.project)
    assert root.find("p:Variables", NS) is None and root.find("p:Cases", NS) is None


def test_for_publication_cases_are_neutral_and_variables_coarse(cases):
    root = project_file(cases.project, publication=True)
    xml = etree.tostring(root).decode()
    for participant in (cases.extra["first"], cases.extra["second"]):
        assert participant.code not in xml
    case_elements = root.findall("p:Cases/p:Case", NS)
    assert [case.get("name") for case in case_elements] == ["Case 1", "Case 2"]
    variables = variables_in(root)
    # "Old ward" is not one of the Area's bands: a published file leaves it out.
    assert values_of(case_elements[0], variables) == {"Cohort": "Sex worker", "Age band": "25–34"}
    assert "Old ward" not in xml
    sources = {source.get("guid"): source for source in root.iterfind("p:Sources/p:TextSource", NS)}
    assert values_of(sources[str(cases.extra["event"].guid)], variables) == {"Cohort": "Resident", "Month": "2026-07"}
    description = root.find("p:Description", NS).text
    assert "Cases are named Case 1, Case 2" in description and "“Area”" in description


def test_the_export_page_says_what_a_publication_file_leaves_out(cases, client_for):
    page = client_for(cases.analyst).get(reverse("analysis:export", kwargs={"slug": cases.project.slug}))
    assert "What a REFI-QDA file for publication also leaves out" in page.text
    assert "Cases are named Case 1, Case 2" in page.text and "Attribute values that are not among" in page.text


def test_for_publication_a_participant_without_consent_has_no_case(cases):
    consent = cases.extra["second"].consents.get()
    consent.quotes_published = False
    consent.save()
    root = project_file(cases.project, publication=True)
    assert [case.get("name") for case in root.findall("p:Cases/p:Case", NS)] == ["Case 1"]
    assert str(cases.extra["interviews"][2].guid) not in etree.tostring(root).decode()


def test_the_project_file_takes_a_fixed_number_of_queries(cases):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            refiqda.qdpx_bytes(cases.project, publication=False)
        return len(captured.captured_queries)

    before = queries()
    for n in range(5):
        participant = ParticipantFactory(project=cases.project, attributes={"Area": "South"})
        document = make_document(cases.project, participant=participant, text=f"Text number {n} is here.")
        excerpt = code(document, 0, 4, [cases.extra["theme"]], cases.analyst)
        actions.add_memo(project=cases.project, author=cases.analyst, text=f"Memo {n}", excerpt=excerpt)
    assert queries() == before


# ---- memos ---------------------------------------------------------------------------------


def test_a_memo_on_a_passage_is_a_note_with_a_selection_of_its_own(cases):
    memo, excerpt = cases.extra["memo"], cases.extra["excerpts"][0]
    root = project_file(cases.project)
    note = root.find(f"p:Notes/p:Note[@guid='{memo.guid}']", NS)
    assert note.find("p:PlainTextContent", NS).text == "Fear after dark, again"
    assert note.get("name").startswith("Memo on a passage of ")
    source = root.find(f"p:Sources/p:TextSource[@guid='{excerpt.document.guid}']", NS)
    selections = source.findall("p:PlainTextSelection", NS)
    coded = [s for s in selections if s.get("guid") == str(excerpt.guid)]
    own = [s for s in selections if s.get("guid") == str(uuid.uuid5(memo.guid, "selection"))]
    assert len(coded) == 1 and len(own) == 1
    own = own[0]
    assert (own.get("startPosition"), own.get("endPosition")) == (str(excerpt.start), str(excerpt.end))
    assert own.find("p:Description", NS).text == "Fear after dark, again"
    assert own.find("p:NoteRef", NS).get("targetGUID") == str(memo.guid)
    assert own.find("p:Coding", NS) is None and own.get("creatingUser")
    # The coded selection still refers to the note too.
    assert coded[0].find("p:NoteRef", NS).get("targetGUID") == str(memo.guid)


def test_a_memo_on_a_theme_is_a_note_named_after_its_theme(cases):
    memo = actions.add_memo(project=cases.project, author=cases.analyst, text="Key theme", theme=cases.extra["theme"])
    root = project_file(cases.project)
    note = root.find(f"p:Notes/p:Note[@guid='{memo.guid}']", NS)
    assert note.get("name") == "Memo on the theme “Street safety”"
    assert root.find(f".//p:Code[@guid='{cases.extra['theme'].guid}']/p:NoteRef", NS).get("targetGUID") == str(memo.guid)


def test_a_publication_file_has_no_memos_not_even_as_selections(cases):
    root = project_file(cases.project, publication=True)
    assert root.find("p:Notes", NS) is None
    assert not root.findall(".//p:NoteRef", NS)
    assert not [s for s in root.iterfind(".//p:PlainTextSelection", NS) if s.find("p:Description", NS) is not None]
    assert "Fear after dark" not in etree.tostring(root).decode()


# ---- warnings (§7) -------------------------------------------------------------------------


def test_what_the_format_cannot_carry_is_on_the_page_and_in_the_file(cases, client_for):
    document = cases.extra["interviews"][0]
    Document.objects.filter(pk=document.pk).update(sections=[{"heading": "Safety", "start": 0, "end": 10}])
    excerpt = cases.extra["excerpts"][1]
    excerpt.chosen_for_report = True
    excerpt.save(update_fields=["chosen_for_report"])
    proposed = actions.create_theme(project=cases.project, name="Being heard", by=cases.peer, proposed=True)
    lost = code(cases.extra["interviews"][2], 12, 20, [proposed], cases.peer)
    actions.add_memo(project=cases.project, author=cases.analyst, text="On a left-out passage", excerpt=lost)
    warnings = refiqda.exchange_warnings(cases.project)
    assert any("sections of a text" in w for w in warnings)
    assert any("chosen as quotes for the theme report" in w for w in warnings)
    assert any(w.startswith("1 memo is not in the .qdpx") for w in warnings)
    description = project_file(cases.project).find("p:Description", NS).text
    for warning in warnings:
        assert warning in description
    page = client_for(cases.analyst).get(reverse("analysis:export", kwargs={"slug": cases.project.slug}))
    assert "sections of a text" in page.text and "1 memo is not in the .qdpx" in page.text


# ---- offsets: code points (the standard) or UTF-16 units (NVivo) --------------------------


def test_positions_are_code_points_by_default_and_utf16_units_for_nvivo(world):
    theme = ThemeFactory(project=world.project)
    text = "Safe 🙂 here. Café 👍🏽 after dark."
    document = make_document(world.project, text=text)
    start = text.index("after dark")
    excerpt = code(document, start, len(text), [theme], world.analyst)
    actions.add_memo(project=world.project, author=world.analyst, text="After dark", excerpt=excerpt)
    standard = project_file(world.project)
    selection = standard.find(f".//p:PlainTextSelection[@guid='{excerpt.guid}']", NS)
    assert (int(selection.get("startPosition")), int(selection.get("endPosition"))) == (start, len(text))
    # The file's report says only which codings it carries: nothing is lost.
    assert standard.find("p:Description", NS).text == "Exported from Common Ground. The codings are all coders' codings."
    nvivo = project_file(world.project, utf16=True)
    units = len(text[:start].encode("utf-16-le")) // 2
    # Three emoji code points before the passage (🙂, 👍 and its skin tone), each two units.
    assert units == start + 3
    for selection in nvivo.iterfind(".//p:PlainTextSelection", NS):
        assert int(selection.get("startPosition")) == units
        assert int(selection.get("endPosition")) == len(text.encode("utf-16-le")) // 2
    assert "UTF-16 code units" in nvivo.find("p:Description", NS).text
    # The text itself is the same UTF-8 file either way.
    archive = zipfile.ZipFile(io.BytesIO(refiqda.qdpx_bytes(world.project, False, utf16=True)))
    assert archive.read(f"sources/{document.guid}.txt").decode("utf-8") == text


def test_the_utf16_conversion_is_exact_around_emoji():
    text = "a🙂b👍🏽c"
    position = refiqda.utf16_positions(text)
    for index in range(len(text) + 1):
        assert position(index) == len(text[:index].encode("utf-16-le")) // 2
    assert refiqda.utf16_positions("plain é")(5) == 5


def test_the_export_page_offers_the_nvivo_project_and_audits_it(world, client_for):
    theme = ThemeFactory(project=world.project)
    code(make_document(world.project, text="🙂 The lamp is dark."), 2, 10, [theme], world.analyst)
    url = reverse("analysis:export", kwargs={"slug": world.project.slug})
    page = client_for(world.analyst).get(url)
    assert "positions in UTF-16 units" in page.text and "Codebook for Taguette (CSV)" in page.text
    response = client_for(world.analyst).post(url, {"format": ExportJob.Format.QDPX_NVIVO})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="riverside-project-nvivo.qdpx"'
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("project.qde")
    refiqda.validate(xml, "Project.xsd")
    assert etree.fromstring(xml).find(".//p:PlainTextSelection", NS).get("startPosition") == "3"
    assert AuditEvent.objects.filter(action="export.qdpx-nvivo", actor=world.analyst).exists()


def test_an_unknown_format_is_refused_with_a_message(world, client_for):
    url = reverse("analysis:export", kwargs={"slug": world.project.slug})
    response = client_for(world.analyst).post(url, {"format": "qdpx-utf32", "publication": "on"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


@pytest.mark.parametrize("fmt", [ExportJob.Format.QDPX_NVIVO, ExportJob.Format.TAGUETTE_CSV])
def test_outsiders_cannot_export_the_new_formats(world, client_for, client, fmt):
    url = reverse("analysis:export", kwargs={"slug": world.project.slug})
    assert client_for(world.peer).post(url, {"format": fmt}).status_code == 403
    assert client_for(world.outsiders["analyst"]).post(url, {"format": fmt}).status_code == 404
    client.logout()
    anonymous = client.post(url, {"format": fmt})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


# ---- Taguette -------------------------------------------------------------------------------


def taguette_reads(content: bytes) -> list[dict]:
    """What Taguette's codebook import (taguette/import_codebook.py) reads: a header naming
    exactly one of tag/name/path, an optional description; a row per tag."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = [cell.lower() for cell in rows[0]]
    assert ("tag" in header) + ("name" in header) + ("path" in header) == 1
    path, description = header.index("tag"), header.index("description")
    return [{"path": row[path].strip(), "description": row[description].strip()} for row in rows[1:] if any(row)]


def test_the_taguette_codebook_has_dotted_paths_parents_first(world):
    project = world.project
    safety = ThemeFactory(project=project, name="Street safety", order=0, description="Feeling safe")
    ThemeFactory(project=project, name="Lighting", parent=safety, order=1, description="Lamps")
    ThemeFactory(project=project, name="St. Mary's", parent=safety, order=0, description="")
    old = ThemeFactory(project=project, name="Old theme", order=1, description="Used early on")
    actions.retire_theme(old, by=world.analyst)
    ThemeFactory(project=project, name="Declined one", status=Theme.Status.DECLINED)
    out = io.BytesIO()
    builders.build(project, ExportJob.Format.TAGUETTE_CSV, False, out)
    tags = taguette_reads(out.getvalue())
    assert tags == [
        {"path": "Street safety", "description": "Feeling safe"},
        {"path": "Street safety.St\u2024 Mary's", "description": ""},
        {"path": "Street safety.Lighting", "description": "Lamps"},
        {"path": "Old theme", "description": "(Retired) Used early on"},
    ]
    # A codebook names no person: the file for publication is the same.
    published = io.BytesIO()
    builders.build(project, ExportJob.Format.TAGUETTE_CSV, True, published)
    assert published.getvalue() == out.getvalue()


def test_the_taguette_codebook_neutralises_formulas(world):
    ThemeFactory(project=world.project, name="=HYPERLINK(1)", description="+1")
    rows = list(exports.taguette_codebook_rows(world.project))
    assert rows[1] == ["=HYPERLINK(1)", "+1"]  # the rows are plain; the writer neutralises
    out = io.BytesIO()
    builders.build(world.project, ExportJob.Format.TAGUETTE_CSV, False, out)
    assert taguette_reads(out.getvalue()) == [{"path": "'=HYPERLINK(1)", "description": "'+1"}]


def test_the_taguette_codebook_downloads_from_the_export_page(world, client_for):
    ThemeFactory(project=world.project, name="Street safety")
    url = reverse("analysis:export", kwargs={"slug": world.project.slug})
    response = client_for(world.analyst).post(url, {"format": ExportJob.Format.TAGUETTE_CSV})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="riverside-codebook-taguette.csv"'
    assert taguette_reads(response.content) == [{"path": "Street safety", "description": "What this theme is about."}]


def test_the_export_page_says_what_the_taguette_codebook_changes(world, client_for, django_assert_max_num_queries):
    parent = ThemeFactory(project=world.project, name="St. Mary's area")
    ThemeFactory(project=world.project, name="x" * 100, parent=ThemeFactory(project=world.project, name="y" * 100, parent=parent))
    with django_assert_max_num_queries(1):
        warnings = exports.taguette_warnings(world.project)
    assert len(warnings) == 2
    assert "“St. Mary's area”" in warnings[0] and "longer than 200 characters" in warnings[1]
    page = client_for(world.analyst).get(reverse("analysis:export", kwargs={"slug": world.project.slug}))
    assert "What the codebook for Taguette changes" in page.text and "longer than 200 characters" in page.text
    ThemeFactory(project=world.other_project, name="Plain")
    assert exports.taguette_warnings(world.other_project) == []


def test_a_large_nvivo_export_is_made_in_the_background_with_utf16_positions(world, settings):
    from coproduction.analysis import tasks

    theme = ThemeFactory(project=world.project)
    document = make_document(world.project, text="🙂🙂 The lamp is dark.")
    code(document, 3, 11, [theme], world.analyst)
    job = ExportJob.objects.create(project=world.project, requested_by=world.analyst, format=ExportJob.Format.QDPX_NVIVO)
    assert tasks.run_export_job(job.pk) is True
    job.refresh_from_db()
    assert job.file_name.endswith(".qdpx")
    xml = zipfile.ZipFile(tasks.export_dir() / job.file_name).read("project.qde")
    refiqda.validate(xml, "Project.xsd")
    assert etree.fromstring(xml).find(".//p:PlainTextSelection", NS).get("startPosition") == "5"
