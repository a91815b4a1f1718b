"""Files written by Taguette 1.5.2 itself (its own codebook export, see
tests/fixtures/refiqda/taguette-1.5.2/README.md): an empty <Sets/> the schema does not allow,
upper-case GUIDs, and dotted names that are its hierarchy, through both codebook imports."""

import datetime
from pathlib import Path

from coproduction.analysis import refiqda, refiqda_import
from coproduction.models import Theme
from coproduction.models.codebook import theme_paths

REAL = Path(__file__).parent.parent / "fixtures" / "refiqda" / "taguette-1.5.2"
MARCH = datetime.date(2026, 3, 1)
TREE = {
    ("safety", Theme.Status.ACTIVE),
    ("safety › lighting", Theme.Status.ACTIVE),
    ("safety › police", Theme.Status.ACTIVE),
    ("services", Theme.Status.RETIRED),  # a folder no tag stands for
    ("services › outreach", Theme.Status.ACTIVE),
    ("housing", Theme.Status.ACTIVE),
    ("café culture", Theme.Status.ACTIVE),
}


def tree(project):
    themes = list(Theme.objects.filter(project=project))
    paths = theme_paths(themes)
    return {(paths[t.pk], t.status) for t in themes}


def test_the_coordinators_import_reads_it_despite_its_empty_sets(world):
    data = (REAL / "codebook.qdc").read_bytes()
    assert b"<Sets></Sets>" in data or b"<Sets/>" in data
    parsed = refiqda_import.read_upload("codebook.qdc", data)
    assert parsed.origin == "Taguette 1.5.2" and not parsed.dropped
    refiqda_import.confirm_import(world.project, parsed, cohort="Resident", month=MARCH, by=world.members["coordinator"])
    assert tree(world.project) == TREE
    again = refiqda_import.plan_import(world.project, parsed, cohort="Resident", month=MARCH)
    assert not again.created


def test_the_analysts_codebook_import_rebuilds_the_hierarchy_and_imports_once(world):
    data = (REAL / "codebook.qdc").read_bytes()
    report = refiqda.import_codebook(world.project, data, by=world.analyst)
    assert report.created == len(TREE)
    assert any("“safety.lighting” is the theme “lighting”" in line for line in report.mapped)
    assert tree(world.project) == TREE
    report = refiqda.import_codebook(world.project, data, by=world.analyst)
    assert (report.created, report.updated) == (0, len(TREE))
    assert tree(world.project) == TREE
