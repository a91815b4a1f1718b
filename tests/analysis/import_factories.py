"""Imported texts for the tests: a small REFI-QDA project built in memory and confirmed."""

import datetime
import io
import uuid
import zipfile

from coproduction.analysis import refiqda_import
from coproduction.models import ImportedSource, NotesDraft
from coproduction.notes import actions as gate

CODE = "c0de0000-0000-4000-8000-000000000001"


def qdpx(texts: list[str], codings: list[list[tuple[int, int]]] | None = None, *, extra_member=None, qde=None) -> bytes:
    """A .qdpx with one code and each text as a source, coded at the given spans."""
    codings = codings or [[] for _ in texts]
    sources = []
    for number, (text, spans) in enumerate(zip(texts, codings, strict=True), start=1):
        guid = str(uuid.uuid4())
        selections = "".join(
            f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{s}" endPosition="{e}">'
            f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
            for s, e in spans
        )
        sources.append(
            (
                guid,
                text,
                f'<TextSource guid="{guid}" name="Source {number}" plainTextPath="internal://{guid}.txt">{selections}</TextSource>',
            )
        )
    xml = qde or (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="Test" origin="Test">'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Safety" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{''.join(s[2] for s in sources)}</Sources></Project>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml.encode("utf-8") if isinstance(xml, str) else xml)
        for guid, text, _ in sources:
            archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
        if extra_member:
            archive.writestr(*extra_member)
    return buffer.getvalue()


def import_texts(project, by, texts, codings=None, *, month=datetime.date(2026, 3, 1)):
    parsed = refiqda_import.read_qdpx(qdpx(texts, codings))
    return refiqda_import.confirm_import(project, parsed, cohort=project.cohorts[0], month=month, by=by)


def imported_source(world, *, submitted: bool) -> ImportedSource:
    """An imported text of the world's project, waiting for review or for changes."""
    batch = import_texts(world.project, world.members["coordinator"], ["Streets feel unsafe at night."])
    imported = batch.sources.get()
    if not submitted and imported.notes.status == NotesDraft.Status.SUBMITTED:
        gate.send_back(imported.notes, comment="Check it.", by=world.members["coordinator"])
    imported.refresh_from_db()
    return imported
