"""REFI-QDA GUIDs are stored per row, made once at random: documents (sources), excerpts
(selections), codings, memos (notes), users and the project. Two exports of a project give the
same GUIDs; two projects never share one; the migration gives existing rows their own."""

import io
import uuid
import zipfile

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from lxml import etree

from coproduction.analysis import actions, refiqda
from coproduction.models import Coding, Document, Excerpt, Memo, Project, User
from tests.analysis.factories import ThemeFactory, code, make_document
from tests.factories import ProjectFactory, UserFactory

NS = {"p": refiqda.PROJECT_NS}
GUID_ATTRIBUTES = ("guid", "targetGUID", "creatingUser")


def build_project(project, coders):
    """The same small project each time: two documents, two coders, codings and memos."""
    theme = ThemeFactory(project=project, name="Street safety")
    child = ThemeFactory(project=project, name="Lighting", parent=theme)
    for text in ("The street is not safe. The lamp is dark.", "Nobody listens. The lamp is broken."):
        document = make_document(project, text=text)
        for coder in coders:
            excerpt = code(document, 0, 10, [theme, child], coder)
        actions.add_memo(project=project, author=coders[0], text="A memo", excerpt=excerpt)
    actions.add_memo(project=project, author=coders[1], text="Theme memo", theme=theme)
    return project


def exported(project) -> tuple[bytes, list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(refiqda.qdpx_bytes(project, publication=False)))
    xml = archive.read("project.qde")
    refiqda.validate(xml, "Project.xsd")
    return xml, sorted(archive.namelist())


def guids_in(xml: bytes) -> dict[str, set[str]]:
    """{element name: its own GUIDs} of a project.qde."""
    found: dict[str, set[str]] = {}
    for element in etree.fromstring(xml).iter():
        if element.get("guid"):
            found.setdefault(etree.QName(element).localname, set()).add(element.get("guid"))
    return found


@pytest.fixture
def two_coders(world):
    return [world.analyst, world.peer]


def test_every_exported_guid_is_the_one_stored_on_its_row(world, two_coders):
    project = build_project(world.project, two_coders)
    xml, names = exported(project)
    found = guids_in(xml)
    documents = Document.objects.filter(project=project)
    assert found["TextSource"] == {str(g) for g in documents.values_list("guid", flat=True)}
    # A memo on a passage also has a selection of its own: its GUID is derived from the memo's
    # stored random one (a memo has one row, and two GUIDs in the file).
    memo_selections = {
        str(uuid.uuid5(g, "selection")) for g in Memo.objects.filter(excerpt__isnull=False).values_list("guid", flat=True)
    }
    assert found["PlainTextSelection"] == memo_selections | {
        str(g) for g in Excerpt.objects.filter(document__project=project).values_list("guid", flat=True)
    }
    assert found["Coding"] == {
        str(g) for g in Coding.objects.filter(excerpt__document__project=project).values_list("guid", flat=True)
    }
    assert found["Note"] == {str(g) for g in Memo.objects.filter(project=project).values_list("guid", flat=True)}
    assert found["User"] == {str(u.guid) for u in two_coders}
    assert {f"sources/{g}.txt" for g in found["TextSource"]} <= set(names)
    # Random (version 4), not derived from an id: another installation cannot make the same one.
    # Cases and Variables have no row to store one on: theirs are derived from the project's
    # stored random GUID (and the memo selections' from the memo's), so they are just as unique.
    derived = found.pop("Case") | found.pop("Variable") | memo_selections
    assert all(uuid.UUID(g).version == 5 for g in derived)
    assert {str(uuid.uuid5(project.guid, key)) for key in ("variable:cohort", "variable:month")} <= derived
    every = set().union(*found.values()) - memo_selections
    assert all(uuid.UUID(g).version == 4 for g in every)
    selection = etree.fromstring(xml).find(".//p:PlainTextSelection", NS)
    assert selection.get("creatingUser") in found["User"]


def test_two_exports_of_a_project_give_the_same_guids(world, two_coders):
    project = build_project(world.project, two_coders)
    first, first_names = exported(project)
    second, second_names = exported(project)
    assert guids_in(first) == guids_in(second) and first_names == second_names
    refs = [sorted(etree.fromstring(x).xpath("//@targetGUID | //@creatingUser")) for x in (first, second)]
    assert refs[0] == refs[1] and refs[0]


def test_two_projects_never_share_a_guid(world, two_coders):
    mine = build_project(world.project, two_coders)
    theirs = build_project(ProjectFactory(), [UserFactory(), UserFactory()])
    ours, _ = exported(mine)
    other, _ = exported(theirs)
    assert not set().union(*guids_in(ours).values()) & set().union(*guids_in(other).values())
    empty = [refiqda.codebook_xml(ProjectFactory()) for _ in range(2)]
    assert etree.fromstring(empty[0]).xpath("//@guid") != etree.fromstring(empty[1]).xpath("//@guid")


LEAF = ("coproduction", "0112_exchange_guids_unique")
BEFORE_FILL = ("coproduction", "0110_exchange_guids_add")


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_row_its_own_random_guid():
    project = ProjectFactory()
    coder = UserFactory()
    theme = ThemeFactory(project=project)
    documents = [make_document(project, text=f"Text {n} that is long enough.", released_by=coder) for n in range(3)]
    for document in documents:
        excerpt = code(document, 0, 6, [theme], coder)
        actions.add_memo(project=project, author=coder, text="Memo", excerpt=excerpt)
    models = [Document, Excerpt, Coding, Memo, User, Project]
    kept = Document.objects.order_by("pk").values_list("pk", "guid")[0]

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_FILL])
    try:
        old = executor.loader.project_state([BEFORE_FILL]).apps
        for model in models:
            old_model = old.get_model("coproduction", model.__name__)
            query = old_model.objects.all()
            if model is Document:
                query = query.exclude(pk=kept[0])  # a row that already has one keeps it
            query.update(guid=None)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([LEAF, *executor.loader.graph.leaf_nodes()])

    for model in models:
        guids = list(model.objects.values_list("guid", flat=True))
        assert guids and None not in guids and len(set(guids)) == len(guids), model.__name__
        assert all(g.version == 4 for g in guids if not (model is Document and g == kept[1])), model.__name__
    assert Document.objects.get(pk=kept[0]).guid == kept[1]
