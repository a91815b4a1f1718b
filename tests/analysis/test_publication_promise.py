"""Every export made "for publication" keeps the publication promise: no participant code, no
coder (display name or email), no exact date in a REFI-QDA file, no analysts' memos.

The probe builds a project the way the demo does (participants with codes made by the product,
two named coders, interview and event Documents, memos, report quotes), then makes every export
format the export page offers in publication mode, opens each (zips member by member, the PDF
as the HTML it is rendered from) and looks for every planted name.
"""

import io
import re
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from lxml import etree

from coproduction.analysis import actions, builders, refiqda, report
from coproduction.analysis.demo_data import code_demo_documents, seed_codebook
from coproduction.models import Document, Event, ExportJob, Participant, Role
from tests.analysis.factories import give_consent
from tests.engagement.factories import held_event
from tests.factories import member

NS = {"p": refiqda.PROJECT_NS}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def demo_like(world):
    project = world.project
    first = member(project, Role.ANALYST, display_name="Amira Okonkwo-Lindqvist", email="amira.okonkwo@council.example")
    second = member(project, Role.PEER_RESEARCHER, display_name="Jodie Marchetti", email="jodie.m@peers.example")
    seed_codebook(project, {"coordinator": world.coordinator, "analyst": first, "peer1": second})
    # A resident interviewed too, with a code the product makes, and consent to quotes.
    resident = Participant.objects.create(project=project, code=Participant.next_code(project, "Resident"), cohort="Resident")
    give_consent(resident, quotes_published=True)
    released = [
        Document.objects.create(
            project=project,
            participant=resident,
            source=Document.Source.INTERVIEW,
            title=f"{resident.code}, June 2026",
            cohort="Resident",
            month=date(2026, 6, 1),
            text="The street is not safe after dark. The lamp on the corner is broken.",
            released_by=world.coordinator,
        )
    ]
    for number, month in enumerate((5, 7), start=1):
        event = held_event(world, title=f"Gathering at Wexcombe Hall {number}")
        document = Document.objects.create(
            project=project,
            source=Document.Source.EVENT,
            title=f"Resident conversation, {date(2026, month, 1):%B %Y}",
            cohort="Resident",
            month=date(2026, month, 1),
            text=f"Event {number}. People said the street is unsafe at night. The outreach hub helps.",
            released_by=world.coordinator,
        )
        # The room was told its words might be quoted: event quotes may be published.
        Event.objects.filter(pk=event.pk).update(document=document, ground_rules_allow_quotes=True)
        released.append(document)
    people = {"coordinator": world.coordinator, "analyst": first, "peer1": second}
    code_demo_documents(project, Document.objects.filter(pk__in=[d.pk for d in released]), people)
    excerpt = project.documents.get(participant=resident).excerpts.first()
    excerpt.chosen_for_report = True
    excerpt.save(update_fields=["chosen_for_report"])
    theme = project.themes.get(name="Street safety")
    actions.add_memo(project=project, author=first, text="Amira thinks this is the key theme", theme=theme)
    actions.add_memo(project=project, author=second, text="Jodie: strong quote", excerpt=excerpt)
    codes = list(Participant.objects.filter(project=project).values_list("code", flat=True))
    assert len(codes) == 3 and all(re.fullmatch(r"[A-Z]+-\d{3}", c) for c in codes)
    world.extra.update(coders=[first, second], codes=codes)
    return world


def texts_of(fmt: str, content: bytes, project) -> dict[str, str]:
    """{part: text} of an export: every member of a zip (Excel, .qdpx), the HTML a PDF is made of."""
    if fmt == ExportJob.Format.PDF:
        assert content.startswith(b"%PDF")
        return {"report.html": report.report_html(project, publication=True)}
    if content.startswith(b"PK"):
        archive = zipfile.ZipFile(io.BytesIO(content))
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    return {fmt: content.decode("utf-8")}


def forbidden_words(world) -> list[str]:
    words = list(world.extra["codes"]) + ["Wexcombe"]  # and the events' own titles, which a coordinator typed
    for coder in world.extra["coders"]:
        words += [coder.display_name, coder.email, coder.display_name.split()[0]]
    return words


@pytest.mark.parametrize("fmt", [choice.value for choice in ExportJob.Format])
def test_no_publication_export_names_a_participant_or_a_coder(demo_like, client_for, fmt):
    """Every format on the export page, as downloaded, and as the builder writes it (the
    background job and `manage.py export_project` use the builder)."""
    world = demo_like
    response = client_for(world.analyst).post(
        reverse("analysis:export", kwargs={"slug": world.project.slug}), {"format": fmt, "publication": "on"}
    )
    assert response.status_code == 200
    downloaded = b"".join(response.streaming_content) if response.streaming else response.content
    built = io.BytesIO()
    builders.build(world.project, fmt, True, built)
    for content in (downloaded, built.getvalue()):
        parts = texts_of(fmt, content, world.project)
        assert parts and any(part.strip() for part in parts.values())
        for part, text in parts.items():
            for word in forbidden_words(world):
                assert word.casefold() not in text.casefold(), f"{word!r} in {part} of the {fmt} export"


def test_the_publication_project_file_has_no_users_dates_or_memos_and_neutral_source_names(demo_like):
    world = demo_like
    archive = zipfile.ZipFile(io.BytesIO(refiqda.qdpx_bytes(world.project, publication=True)))
    xml = archive.read("project.qde")
    refiqda.validate(xml, "Project.xsd")
    root = etree.fromstring(xml)
    assert root.find("p:Users", NS) is None and root.find("p:Notes", NS) is None
    for element in root.iter():
        assert not {"creatingUser", "modifyingUser", "creationDateTime", "modifiedDateTime"} & set(element.attrib), element.tag
    names = sorted(source.get("name") for source in root.findall("p:Sources/p:TextSource", NS))
    # One sex worker did not agree to published quotes: that interview is left out.
    assert names == [
        "Event notes 1 (Resident, May 2026)",
        "Event notes 2 (Resident, July 2026)",
        "Interview 1 (Sex worker, March 2026)",
        "Interview 2 (Resident, June 2026)",
    ]
    assert not [name for name in archive.namelist() if name.startswith("sources/") and "SW-" in archive.read(name).decode()]


def test_the_internal_project_file_still_says_who_coded_what_and_when(demo_like):
    world = demo_like
    xml = refiqda.qdpx_bytes(world.project, publication=False)
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(xml)).read("project.qde"))
    assert len(root.findall("p:Users/p:User", NS)) == 2
    assert root.find(".//p:PlainTextSelection", NS).get("creatingUser")
    assert root.find(".//p:Coding", NS).get("creationDateTime")
    names = [source.get("name") for source in root.findall("p:Sources/p:TextSource", NS)]
    assert any("SW-001" in name for name in names)
    # Coders are named neutrally even internally, never by display name or email.
    for coder in world.extra["coders"]:
        assert coder.email.encode() not in xml and coder.display_name.encode() not in xml


def test_the_publication_report_gives_the_month_it_was_made_not_the_day(demo_like):
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    published = report.report_html(demo_like.project, publication=True)
    assert re.search(rf"Theme report made ({months}) \d{{4}}\.", published)
    assert not re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}", published)
    assert re.search(rf"Theme report made \d{{1,2}} ({months}) \d{{4}}", report.report_html(demo_like.project, publication=False))
