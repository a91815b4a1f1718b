"""A long Document is read and coded a part at a time.

A 150,000-character interview with 400 coded passages made a 900 KB page (the text cut at every
excerpt, a sentence list of the whole text, a card per passage). Parts follow the Document's
sections (the topic guide's headings), and a section longer than PART_CHARACTERS is cut at the
last line break before the limit. A Document no longer than one part is one part: its page is as
it always was. Offsets stay those of the whole text, so coding.js and the stored excerpts do not
change.
"""

from dataclasses import dataclass

from coproduction.models import Document

PART_CHARACTERS = 20_000


@dataclass(frozen=True)
class Part:
    number: int
    start: int
    end: int
    heading: str


def document_parts(document: Document) -> list[Part]:
    text = document.text
    if len(text) <= PART_CHARACTERS:
        return [Part(1, 0, len(text), "")]
    sections = [(s.get("start", 0), s.get("end", 0), s.get("heading", "")) for s in document.sections or []]
    sections = [(a, min(b, len(text)), h) for a, b, h in sections if 0 <= a < b] or [(0, len(text), "")]
    if sections[0][0] > 0:
        sections.insert(0, (0, sections[0][0], ""))
    if sections[-1][1] < len(text):
        sections.append((sections[-1][1], len(text), ""))
    spans: list[tuple[int, int, str]] = []
    for start, end, heading in sections:
        while end - start > PART_CHARACTERS:
            cut = text.rfind("\n", start + 1, start + PART_CHARACTERS)
            if cut <= start:
                cut = text.rfind(" ", start + 1, start + PART_CHARACTERS)
            cut = cut + 1 if cut > start else start + PART_CHARACTERS
            spans.append((start, cut, heading))
            start = cut
        spans.append((start, end, heading))
    return [Part(i + 1, a, b, h) for i, (a, b, h) in enumerate(spans)]


def chosen_part(parts: list[Part], query, focus: tuple[int, int] | None) -> Part:
    """The part `?part=N` asks for, else the one holding the focused passage, else the first."""
    number = query.get("part", "")
    if number.isdigit() and 1 <= int(number) <= len(parts):
        return parts[int(number) - 1]
    if focus:
        return next((p for p in parts if p.start <= focus[0] < p.end), parts[0])
    return parts[0]
