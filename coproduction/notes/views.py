"""What the notes pages of every owner share: the review page's text with kept findings marked."""

from coproduction.models import NotesDraft, PiiResolution
from coproduction.notes.actions import SectionFinding


def marked_sections(
    draft: NotesDraft, kept: list[tuple[SectionFinding, PiiResolution]]
) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """Each section as pieces of text; a piece the author kept after a finding carries its
    number in the list of kept findings, so the reviewer sees it marked in place."""
    numbered = {}
    for number, (item, _) in enumerate(kept, start=1):
        numbered.setdefault(item.section, []).append((item.finding.start, item.finding.end, number))
    sections = []
    for key, heading, text in draft.section_list():
        pieces, position = [], 0
        for start, end, number in sorted(numbered.get(key, [])):
            pieces += [(text[position:start], None), (text[start:end], number)]
            position = end
        pieces.append((text[position:], None))
        sections.append((heading, [(piece, number) for piece, number in pieces if piece]))
    return sections
