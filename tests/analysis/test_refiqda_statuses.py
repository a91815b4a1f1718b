"""Themes that are not simply "in use": a retired theme with codings travels as a codable code
with its codings (isCodable="false" is for folders, §11 of the standard); codings on proposed
themes are not exported, and the export page and the file's Description say so (§7)."""

import io
import zipfile

import pytest
from django.urls import reverse
from lxml import etree

from coproduction.analysis import actions, refiqda
from coproduction.models import Theme
from tests.analysis.factories import ThemeFactory, code, make_document

NS = {"c": refiqda.CODEBOOK_NS, "p": refiqda.PROJECT_NS}


@pytest.fixture
def statuses(world):
    project = world.project
    active = ThemeFactory(project=project, name="Street safety")
    retired = ThemeFactory(project=project, name="Old lighting theme")
    unused_retired = ThemeFactory(project=project, name="Never used")
    document = make_document(project, text="The lamp is dark. The van helps. Nobody listens.")
    code(document, 0, 17, [active, retired], world.analyst)
    actions.retire_theme(retired, by=world.analyst)
    actions.retire_theme(unused_retired, by=world.analyst)
    proposed = actions.create_theme(project=project, name="Being heard", by=world.peer, proposed=True)
    code(document, 33, 48, [proposed], world.peer)
    code(document, 18, 32, [proposed], world.analyst)
    world.extra.update(active=active, retired=retired, unused_retired=unused_retired, proposed=proposed, document=document)
    return world


def project_file(project, publication=False):
    archive = zipfile.ZipFile(io.BytesIO(refiqda.qdpx_bytes(project, publication)))
    xml = archive.read("project.qde")
    refiqda.validate(xml, "Project.xsd")
    return etree.fromstring(xml)


def test_a_retired_theme_with_codings_is_codable_and_keeps_its_codings(statuses):
    retired, unused = statuses.extra["retired"], statuses.extra["unused_retired"]
    assert retired.status == Theme.Status.RETIRED
    root = project_file(statuses.project)
    code_el = root.find(f".//p:Code[@guid='{retired.guid}']", NS)
    assert code_el.get("isCodable") == "true"
    assert root.find(f".//p:Coding/p:CodeRef[@targetGUID='{retired.guid}']", NS) is not None
    assert root.find(f".//p:Code[@guid='{unused.guid}']", NS).get("isCodable") == "false"
    codebook = etree.fromstring(refiqda.codebook_xml(statuses.project))
    refiqda.validate(refiqda.codebook_xml(statuses.project), "Codebook.xsd")
    assert codebook.find(f".//c:Code[@guid='{retired.guid}']", NS).get("isCodable") == "true"
    assert codebook.find(f".//c:Code[@guid='{unused.guid}']", NS).get("isCodable") == "false"
    # Every coding in the file points at a code that is in the file and codable.
    codable = {c.get("guid") for c in root.iterfind(".//p:Code", NS) if c.get("isCodable") == "true"}
    assert {ref.get("targetGUID") for ref in root.iterfind(".//p:CodeRef", NS)} <= codable


def test_a_round_trip_keeps_a_retired_theme_retired(statuses):
    retired = statuses.extra["retired"]
    report = refiqda.import_codebook(statuses.project, refiqda.codebook_xml(statuses.project), by=statuses.analyst)
    retired.refresh_from_db()
    assert retired.status == Theme.Status.RETIRED and report.created == 0


def test_codings_on_proposed_themes_are_named_in_the_files_description(statuses):
    proposed = statuses.extra["proposed"]
    root = project_file(statuses.project)
    assert root.find(f".//p:Code[@guid='{proposed.guid}']", NS) is None
    description = root.find("p:Description", NS).text
    assert "Codings on proposed themes are not in the .qdpx" in description and "“Being heard” (2 codings)" in description
    assert "“Old lighting theme”" in description and "cannot mark them retired" in description
    # For publication the theme is named, the number of codings is not.
    published = project_file(statuses.project, publication=True).find("p:Description", NS).text
    assert "“Being heard”" in published and "codings)" not in published


def test_the_export_page_warns_before_exporting(statuses, client_for):
    url = reverse("analysis:export", kwargs={"slug": statuses.project.slug})
    page = client_for(statuses.analyst).get(url)
    assert page.status_code == 200
    assert "What a REFI-QDA file (.qdc, .qdpx) leaves out or changes" in page.text
    assert "“Being heard” (2 codings)" in page.text and "cannot mark them retired" in page.text


def test_no_warning_when_nothing_is_lost(world, client_for):
    theme = ThemeFactory(project=world.project)
    code(make_document(world.project), 0, 9, [theme], world.analyst)
    assert refiqda.exchange_warnings(world.project) == []
    description = project_file(world.project).find("p:Description", NS).text
    assert description == "Exported from Common Ground. The codings are all coders' codings."
    page = client_for(world.analyst).get(reverse("analysis:export", kwargs={"slug": world.project.slug}))
    assert "leaves out or changes" not in page.text


def test_the_warnings_take_a_fixed_number_of_queries(statuses, django_assert_max_num_queries):
    for n in range(20):
        theme = actions.create_theme(project=statuses.project, name=f"Proposal {n}", by=statuses.peer, proposed=True)
        code(statuses.extra["document"], 0, 3 + n, [theme], statuses.peer)
    # The coding set, codings left out, retired themes, sections and report quotes (one query),
    # memos left out.
    with django_assert_max_num_queries(5):
        assert len(refiqda.exchange_warnings(statuses.project)) == 2
    with django_assert_max_num_queries(6):
        assert len(refiqda.exchange_warnings(statuses.project, publication=True)) == 3
