"""Files written by QualCoder 4.0 Beta itself (its own REFI-QDA export, see
tests/fixtures/refiqda/qualcoder-4.0-beta/README.md): exact positions after emoji, accents and
QualCoder's byte-order mark; its categories, coding memos and annotations; its codebook exported
twice with new GUIDs."""

import datetime
from pathlib import Path

from coproduction.analysis import refiqda_import
from coproduction.models import Coding, Memo, NotesDraft, Theme
from coproduction.models.codebook import theme_paths
from coproduction.notes import actions as gate

REAL = Path(__file__).parent.parent / "fixtures" / "refiqda" / "qualcoder-4.0-beta"
MARCH = datetime.date(2026, 3, 1)

PASSAGES = {
    ("Interview 07.txt", "Policing"): ["Police vans 🚓 stop us and move us on"] * 2,  # two coders
    ("Interview 07.txt", "Street lighting"): ["After ten 🚦 the street feels unsafe"],
    ("Interview 07.txt", "Support services"): ["Outreach at the drop-in helps"],
    ("Résumé session 2.txt", "Policing"): ["Naïve rules 😟 about loitering mean fines we can't pay"],
    ("Résumé session 2.txt", "Street lighting"): ["Lighting on the canal path is broken"],
    ("Résumé session 2.txt", "Support services"): ["Support workers are kind but overstretched"],
}


def read(name: str):
    return refiqda_import.read_upload(name, (REAL / name).read_bytes())


def test_positions_count_from_after_the_byte_order_mark():
    parsed = read("project.qdpx")
    assert parsed.origin == "QualCoder 4.0 Beta"
    names = {code.guid: code.name for code in _all_codes(parsed.codes)}
    found: dict[tuple[str, str], list[str]] = {}
    for source in parsed.sources:
        assert not source.text.startswith("\ufeff")
        for selection in source.selections:
            for guid in selection.codes:
                found.setdefault((source.name, names[guid]), []).append(source.text[selection.start : selection.end])
    assert found == PASSAGES


def test_the_report_says_what_qualcoder_wrote_that_has_no_place_here():
    dropped = " ".join(read("project.qdpx").dropped)
    assert "1 memo on a passage that no coding covers" in dropped  # its annotation on uncoded text
    assert "1 note of the project itself, such as a journal" in dropped
    assert "Cases" in dropped and "users (coders)" in dropped


def test_the_project_passes_the_gate_with_its_categories_codings_and_coding_memo(world):
    coordinator = world.members["coordinator"]
    batch = refiqda_import.confirm_import(world.project, read("project.qdpx"), cohort="Resident", month=MARCH, by=coordinator)
    for imported in batch.sources.all():
        assert imported.notes.status == NotesDraft.Status.SUBMITTED
        gate.release_notes(imported.notes, by=coordinator)
    themes = list(Theme.objects.filter(project=world.project))
    paths = theme_paths(themes)
    by_path = {paths[t.pk]: t for t in themes}
    assert set(by_path) == {
        "Support services",
        "Safety",
        "Safety › Policing",
        "Safety › Environment",
        "Safety › Environment › Street lighting",
    }
    # QualCoder's categories are groups nobody codes with: non-codable parents here.
    assert by_path["Safety"].status == by_path["Safety › Environment"].status == Theme.Status.RETIRED
    assert by_path["Safety › Policing"].description == "Stops, fines, moving people on"
    quotes = {
        (paths[c.theme_id].rsplit(" › ", 1)[-1], c.excerpt.quote)
        for c in Coding.objects.filter(theme__project=world.project).select_related("excerpt__document")
    }
    assert quotes == {(theme, text) for (_, theme), texts in PASSAGES.items() for text in texts}
    # Both coders' identical coding is one excerpt coded once (every coder becomes the importer).
    police = Coding.objects.filter(excerpt__document__project=world.project, theme=by_path["Safety › Policing"])
    assert police.count() == 2 and len({c.excerpt_id for c in police}) == 2
    memo = Memo.objects.get(project=world.project)
    assert memo.text == "Move-on powers" and memo.excerpt.quote == "Police vans 🚓 stop us and move us on"


def test_its_codebook_exported_twice_with_new_guids_gives_each_theme_once(world):
    coordinator = world.members["coordinator"]
    refiqda_import.confirm_import(world.project, read("codebook.qdc"), cohort="Resident", month=MARCH, by=coordinator)
    first = Theme.objects.filter(project=world.project).count()
    again = read("codebook-again.qdc")
    plan = refiqda_import.plan_import(world.project, again, cohort="Resident", month=MARCH)
    assert not plan.created and len(plan.matched) == first == 5
    refiqda_import.confirm_import(world.project, again, cohort="Resident", month=MARCH, by=coordinator)
    assert Theme.objects.filter(project=world.project).count() == 5


def _all_codes(codes):
    for code in codes:
        yield code
        yield from _all_codes(code.children)
