"""REFI-QDA import of whole projects (.qdpx) and codebooks (.qdc, QualCoder's and Taguette's
too), with a dry run first.

- Nothing reaches the corpus without passing the anonymisation gate: each text source becomes a
  notes draft (owner kind "import", `coproduction.analysis.imported_notes`) awaiting PII review
  and a coordinator's release. Its codings and memos wait on its `ImportedSource` and attach
  when it is released, each re-checked against the released text (a redaction shifts offsets;
  a coding that no longer falls on the same text is dropped and listed in the batch's report).
- A .qdpx is a zip: it is checked from its directory before anything is read (member count,
  total size, compression ratio, no absolute or `..` paths), and only project.qde and the
  sources it names are read, each read capped at its declared size. XML is parsed with
  defusedxml (no DTDs, no entities) and, when it is in the standard's namespace, validated
  against Project.xsd or Codebook.xsd.
- Codebook mapping: a code is matched by GUID among this project's themes, else by name under
  the same parent (a second export of one codebook from QualCoder has new random GUIDs), else
  created. Common Ground has no non-codable theme: a category (isCodable="false") becomes a
  retired theme, which keeps its sub-themes and takes no new coding; the report says so.
  Taguette writes hierarchy as dotted names ("safety.lighting"): rebuilt as nesting.
- `plan_import` changes nothing and lists everything that will be created, mapped, matched,
  dropped or changed; `confirm_import` does it all in one transaction (a refusal saves nothing),
  audited.
"""

import datetime
import difflib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.conf import settings
from django.db import transaction
from lxml import etree

from coproduction.analysis.counts import recount
from coproduction.analysis.refiqda import (
    CODEBOOK_NS,
    MAX_DEPTH,
    PROJECT_NS,
    SCHEMAS,
    TAGUETTE_SEPARATOR,
    ImportRefused,
    _batches,
    _check_readable,
)
from coproduction.audit import record
from coproduction.models import Coding, Document, Excerpt, ImportBatch, ImportedSource, Memo, Project, Theme, User
from coproduction.models.notes import MAX_NOTES_CHARACTERS
from coproduction.textcheck import validate_readable_text

__all__ = ["ImportPlan", "ImportRefused", "confirm_import", "plan_import", "read_upload"]

MAX_MEMBERS = 5_000
MAX_RATIO = 100  # uncompressed / compressed, for members large enough to matter
RATIO_FLOOR = 64 * 1024
MAX_SOURCES = 500
MAX_SELECTIONS = 50_000
TEXT_HEADING = "Text"


def max_upload_bytes() -> int:
    return getattr(settings, "QDPX_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_unzipped_bytes() -> int:
    return getattr(settings, "QDPX_IMPORT_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _shown(text: str, limit: int = 60) -> str:
    return "".join(ch for ch in text if ch.isprintable())[:limit]


# ---- reading the file -------------------------------------------------------------------------


@dataclass
class Code:
    guid: str
    name: str
    description: str
    colour: str
    codable: bool
    children: list["Code"] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    codes: list[str]
    notes: list[str]
    description: str = ""


@dataclass
class Source:
    guid: str
    name: str
    text: str
    selections: list[Selection]
    variables: dict[str, str]
    changes: list[str] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class ProjectFile:
    kind: str  # "qdpx" or "qdc"
    origin: str
    codes: list[Code]
    sources: list[Source] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def _parse_xml(data: bytes, what: str):
    """defusedxml first (refuses DTDs and entities), so lxml only ever sees plain XML."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImportRefused(f"The {what} declares a DTD or entities, which are not accepted.") from None
    except SafeET.ParseError as error:
        raise ImportRefused(f"The {what} is not well-formed XML ({error}).") from None


def _validate(data: bytes, root, schema: str, what: str) -> None:
    """Validate against the standard's schema when the file uses the standard's namespace
    (other tools' namespace quirks are accepted and read by local names)."""
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace not in {PROJECT_NS, CODEBOOK_NS}:
        return
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    parsed = etree.fromstring(data, parser)  # noqa: S320 — defusedxml has refused DTDs and entities already
    # Taguette writes an empty <Sets/>, which the schema does not allow (a Sets holds at least
    # one Set). It says nothing, so it is ignored rather than the whole file refused.
    for sets in parsed.findall(f"{{{namespace}}}Sets"):
        if len(sets) == 0:
            parsed.remove(sets)
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    if not xsd.validate(parsed):
        error = xsd.error_log.last_error
        raise ImportRefused(f"The {what} does not follow the REFI-QDA schema (line {error.line}: {error.message}).")


def _guid(value: str | None, what: str) -> str:
    try:
        return str(uuid.UUID((value or "").strip().strip("{}")))
    except ValueError:
        raise ImportRefused(f"{what} has no valid GUID.") from None


def _read_codes(codes_element) -> list[Code]:
    def read(element, depth: int) -> Code:
        if depth > MAX_DEPTH:
            raise ImportRefused(f"The codebook is nested more than {MAX_DEPTH} levels deep.")
        name = (element.get("name") or "").strip()
        if not name:
            raise ImportRefused("A code has no name.")
        _check_readable(name, "name", name)
        code = Code(
            guid=_guid(element.get("guid"), f"The code “{_shown(name)}”"),
            name=name,
            description="",
            colour=element.get("color") or "",
            codable=(element.get("isCodable") or "true").lower() != "false",
        )
        for child in element:
            tag = _local(child.tag)
            if tag == "Description":
                code.description = (child.text or "").strip()
                _check_readable(code.description, "description", name)
            elif tag == "Code":
                code.children.append(read(child, depth + 1))
            else:
                code.other.append(tag)
        return code

    return [read(el, 1) for el in codes_element if _local(el.tag) == "Code"]


def _child(element, name: str):
    return next((el for el in element if _local(el.tag) == name), None)


def read_codebook(data: bytes) -> ProjectFile:
    """A .qdc (QualCoder's, Taguette's, ours, or another tool's)."""
    if len(data) > max_upload_bytes():
        raise ImportRefused(f"The file is larger than {max_upload_bytes() // 1024} KB, the most that can be imported.")
    root = _parse_xml(data, "codebook")
    if _local(root.tag) != "CodeBook":
        raise ImportRefused("This is not a REFI-QDA codebook: it has no CodeBook element.")
    _validate(data, root, "Codebook.xsd", "codebook")
    codes = _child(root, "Codes")
    if codes is None:
        raise ImportRefused("The codebook has no Codes element.")
    parsed = ProjectFile("qdc", root.get("origin") or "", _read_codes(codes))
    for tag in sorted({_local(el.tag) for el in root} - {"Codes"}):
        if tag == "Sets":
            if len(_child(root, "Sets")):
                parsed.dropped.append(_sets_dropped(_child(root, "Sets")))
        else:
            parsed.dropped.append(f"{tag} (not used in Common Ground).")
    return parsed


def _sets_dropped(sets) -> str:
    count = sum(1 for el in sets if _local(el.tag) == "Set")
    return f"{count} set{'s' if count != 1 else ''} of codes or sources (Common Ground has no sets)."


def _safe_member_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in PurePosixPath(name).parts


def _open_archive(data: bytes) -> zipfile.ZipFile:
    """The zip, checked from its directory before any member is read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused("This is not a .qdpx file: a .qdpx is a zip archive, and this file is not one.") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ImportRefused(f"The archive holds more than {MAX_MEMBERS:,} files, the most that can be imported.")
    total = 0
    for info in members:
        if not _safe_member_name(info.filename):
            raise ImportRefused(
                f"The archive holds a file with an unsafe path (“{_shown(info.filename)}”): absolute paths and “..” are refused."
            )
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRefused(
                f"The archive looks like a zip bomb: “{_shown(info.filename)}” expands more than {MAX_RATIO} times."
            )
    if total > max_unzipped_bytes():
        raise ImportRefused(
            f"The archive expands to more than {max_unzipped_bytes() // (1024 * 1024)} MB, the most that can be imported."
        )
    return archive


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """At most the declared size: a directory that lies about sizes is refused, not believed."""
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
        raise ImportRefused(f"“{_shown(info.filename)}” in the archive cannot be read ({error}).") from None
    if len(data) > info.file_size:
        raise ImportRefused(f"“{_shown(info.filename)}” in the archive is larger than its directory says.")
    return data


def _variable_value(element) -> str:
    for child in element:
        if _local(child.tag).endswith("Value") and _local(child.tag) != "VariableValue":
            return (child.text or "").strip()
    return ""


def read_qdpx(data: bytes) -> ProjectFile:
    """project.qde and the text of each TextSource it names, from a .qdpx."""
    if len(data) > max_upload_bytes():
        raise ImportRefused(f"The file is larger than {max_upload_bytes() // 1024} KB, the most that can be imported.")
    with _open_archive(data) as archive:
        by_name = {info.filename: info for info in archive.infolist()}
        if "project.qde" not in by_name:
            raise ImportRefused("The archive has no project.qde, so it is not a REFI-QDA project.")
        qde = _read_member(archive, by_name["project.qde"])
        root = _parse_xml(qde, "project.qde")
        if _local(root.tag) != "Project":
            raise ImportRefused("project.qde has no Project element.")
        _validate(qde, root, "Project.xsd", "project.qde")
        codebook = _child(root, "CodeBook")
        codes_element = _child(codebook, "Codes") if codebook is not None else None
        parsed = ProjectFile("qdpx", root.get("origin") or "", _read_codes(codes_element) if codes_element is not None else [])
        variables = {}
        for element in _child(root, "Variables") if _child(root, "Variables") is not None else []:
            if _local(element.tag) == "Variable":
                variables[_guid(element.get("guid"), "A variable")] = (element.get("name") or "").strip()
        notes_element = _child(root, "Notes")
        note_spans: dict[str, tuple[int, int]] = {}
        for note in notes_element if notes_element is not None else []:
            if _local(note.tag) == "Note":
                guid = _guid(note.get("guid"), "A note")
                content = _child(note, "PlainTextContent")
                parsed.notes[guid] = (content.text or "").strip() if content is not None else ""
                span = _child(note, "PlainTextSelection")
                if span is not None:
                    note_spans[guid] = (span.get("startPosition"), span.get("endPosition"))
        sources = _child(root, "Sources")
        other_sources = 0
        read_members = {"project.qde"}
        for element in sources if sources is not None else []:
            if _local(element.tag) != "TextSource":
                other_sources += 1
                continue
            source = _read_source(archive, by_name, element, variables, len(parsed.sources) + 1, read_members)
            parsed.sources.append(source)
            if len(parsed.sources) > MAX_SOURCES:
                raise ImportRefused(
                    f"The project has more than {MAX_SOURCES} text sources, the most that can be imported at once."
                )
        _attach_passage_notes(parsed, note_spans)
        if other_sources:
            parsed.dropped.append(
                f"{other_sources} source{'s' if other_sources != 1 else ''} that are not plain text "
                "(PDF, picture, audio or video): only text sources can pass the anonymisation gate."
            )
        for tag in ("Users", "Cases", "Sets", "Graphs", "Links"):
            element = _child(root, tag)
            if element is None:
                continue
            if tag == "Sets":
                parsed.dropped.append(_sets_dropped(element))
            elif tag == "Users":
                parsed.dropped.append(
                    "The file's users (coders): imported codings are recorded as made by the coordinator who confirms "
                    "the import, and a passage several of them coded with the same theme is imported once."
                )
            else:
                parsed.dropped.append(f"{tag} (not used in Common Ground).")
        unread = len(by_name) - len(read_members) - sum(1 for name in by_name if name.endswith("/"))
        if unread > 0:
            parsed.dropped.append(f"{unread} other file{'s' if unread != 1 else ''} in the archive (not read).")
        return parsed


def _attach_passage_notes(parsed: ProjectFile, note_spans: dict[str, tuple[str | None, str | None]]) -> None:
    """QualCoder writes a memo on a passage (an annotation) as a Note with its own selection,
    referenced from the TextSource. It becomes a memo on the coded passage with the same
    positions; one on a passage nobody coded, and a Note of the project (a journal), have no
    place here and are listed as dropped."""
    referenced = {guid for source in parsed.sources for selection in source.selections for guid in selection.notes}
    uncoded = 0
    for source in parsed.sources:
        for guid in source.note_refs:
            span = note_spans.get(guid)
            if span is None:
                continue
            referenced.add(guid)
            match = next((s for s in source.selections if (str(s.start), str(s.end)) == span and s.codes), None)
            if match is not None and parsed.notes.get(guid):
                match.notes.append(guid)
            else:
                uncoded += 1
    if uncoded:
        parsed.dropped.append(
            f"{uncoded} memo{'s' if uncoded != 1 else ''} on {'a passage' if uncoded == 1 else 'passages'} that no coding covers "
            "(memos attach to coded passages here)."
        )
    journals = [guid for guid in parsed.notes if guid not in referenced and guid not in note_spans]
    if journals:
        parsed.dropped.append(
            f"{len(journals)} note{'s' if len(journals) != 1 else ''} of the project itself, such as a journal "
            "(not linked to a passage, so not imported)."
        )


def _read_source(archive, by_name, element, variables: dict[str, str], number: int, read_members: set[str]) -> Source:
    name = (element.get("name") or "").strip()
    what = f"Text source {number} (“{_shown(name)}”)"
    guid = _guid(element.get("guid"), what)
    inline = _child(element, "PlainTextContent")
    path = element.get("plainTextPath") or ""
    if inline is not None and not path:
        raw = inline.text or ""
    elif path.startswith("internal://"):
        member = f"sources/{path.removeprefix('internal://')}"
        if not _safe_member_name(member) or member not in by_name:
            raise ImportRefused(f"{what} names the file “{_shown(member)}”, which is not in the archive.")
        read_members.add(member)
        try:
            # A byte-order mark is the file's encoding signature, not a character of the text:
            # QualCoder writes one and counts its positions from the character after it.
            raw = _read_member(archive, by_name[member]).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused(f"The text of {what} is not UTF-8, as the standard requires.") from None
    else:
        raise ImportRefused(
            f"The text of {what} is outside the file (“{_shown(path)}”): only internal:// sources can be imported."
        )
    changes: list[str] = []
    text, selections = _normalise(raw, [_read_selection(sel, what) for sel in element if _local(sel.tag) == "PlainTextSelection"])
    if text != raw:
        changes.append(f"{what}: line endings normalised to one newline (codings moved with the text).")
    for selection in selections:
        if not (0 <= selection.start < selection.end <= len(text)):
            raise ImportRefused(
                f"A coding in {what} lies outside its text "
                f"(characters {selection.start}–{selection.end} of a text of {len(text)})."
            )
    if text != text.strip():
        changes.append(f"{what}: spaces and blank lines at its start or end are trimmed when it is released.")
    if len(text) > MAX_NOTES_CHARACTERS:
        raise ImportRefused(f"The text of {what} is longer than {MAX_NOTES_CHARACTERS:,} characters, the most a draft can hold.")
    try:
        validate_readable_text(text)
    except Exception as error:
        messages = getattr(error, "messages", [str(error)])
        raise ImportRefused(f"The text of {what} cannot be used: {' '.join(messages)}") from None
    values = {}
    for value in element:
        if _local(value.tag) == "VariableValue":
            ref = _child(value, "VariableRef")
            key = variables.get((ref.get("targetGUID") or "").strip("{}").lower(), "") if ref is not None else ""
            if key:
                values[key.casefold()] = _variable_value(value)
    dropped_codings = sum(1 for el in element if _local(el.tag) == "Coding")
    if dropped_codings:
        changes.append(f"{what}: {dropped_codings} coding(s) of the whole source (not of a passage) are not imported.")
    note_refs = [_guid(ref.get("targetGUID"), f"A note reference in {what}") for ref in element if _local(ref.tag) == "NoteRef"]
    return Source(guid, name, text, selections, values, changes, note_refs)


def _read_selection(element, what: str) -> Selection:
    try:
        start, end = int(element.get("startPosition", "")), int(element.get("endPosition", ""))
    except ValueError:
        raise ImportRefused(f"A selection in {what} has no valid start and end positions.") from None
    codes, notes, description = [], [], ""
    for child in element:
        if _local(child.tag) == "Description":
            # QualCoder's memo on a coding.
            description = (child.text or "").strip()
        elif _local(child.tag) == "Coding":
            ref = _child(child, "CodeRef")
            codes.append(_guid(ref.get("targetGUID") if ref is not None else "", f"A coding in {what}"))
        elif _local(child.tag) == "NoteRef":
            notes.append(_guid(child.get("targetGUID"), f"A note reference in {what}"))
    return Selection(_guid(element.get("guid"), f"A selection in {what}"), start, end, codes, notes, description)


def _normalise(raw: str, selections: list[Selection]) -> tuple[str, list[Selection]]:
    """Turn CRLF/CR into LF, moving each selection's offsets with the text (offsets are code
    points of the text as it was in the file, after its byte-order mark)."""
    if "\r" not in raw:
        return raw, selections
    new_offset = []  # new_offset[i] = position in the new text of old position i
    out = []
    position = 0
    for index, char in enumerate(raw):
        new_offset.append(position)
        if char == "\r" and raw[index + 1 : index + 2] == "\n":
            continue
        out.append("\n" if char == "\r" else char)
        position += 1
    new_offset.append(position)

    def moved(offset: int) -> int:
        return new_offset[offset] if 0 <= offset < len(new_offset) else offset - len(raw) + position

    return "".join(out), [Selection(s.guid, moved(s.start), moved(s.end), s.codes, s.notes, s.description) for s in selections]


def read_upload(name: str, data: bytes) -> ProjectFile:
    if name.lower().endswith(".qdpx") or data[:2] == b"PK":
        return read_qdpx(data)
    if name.lower().endswith((".qdc", ".xml")):
        return read_codebook(data)
    raise ImportRefused("Choose a REFI-QDA project (.qdpx) or codebook (.qdc).")


# ---- the dry run ------------------------------------------------------------------------------


@dataclass
class ThemePlan:
    path: tuple[str, ...]
    name: str
    parent: "ThemePlan | None"
    guids: list[str]  # the file's GUIDs that point here (a Taguette folder may have none)
    description: str = ""
    colour: str = ""
    codable: bool = True
    theme: Theme | None = None  # the existing theme it matches
    matched_by: str = ""  # "guid", "name" or ""


@dataclass
class SourcePlan:
    source: Source
    cohort: str
    month: datetime.date
    codings: int
    memos: int


@dataclass
class ImportPlan:
    kind: str
    themes: list[ThemePlan]
    sources: list[SourcePlan]
    created: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[str, list[str]]]:
        """The report's headed lists, in the order the page shows them."""
        return [
            (heading, items)
            for heading, items in (
                ("Will be created", self.created),
                ("Mapped to what Common Ground has", self.mapped),
                ("Matched to existing themes", self.matched),
                ("Will be changed", self.changed),
                ("Dropped (not imported)", self.dropped),
            )
            if items
        ]


def _is_taguette(parsed: ProjectFile) -> bool:
    """Taguette writes a flat codebook whose dotted names are its hierarchy."""
    flat = all(not code.children for code in parsed.codes)
    return flat and "taguette" in parsed.origin.casefold() and any(TAGUETTE_SEPARATOR in c.name for c in parsed.codes)


def _theme_tree(parsed: ProjectFile, plan: ImportPlan) -> list[ThemePlan]:
    """One ThemePlan per theme-to-be, parents first."""
    plans: dict[tuple[str, ...], ThemePlan] = {}
    ordered: list[ThemePlan] = []
    seen: set[str] = set()

    def add(path: tuple[str, ...], code: Code | None) -> ThemePlan:
        key = tuple(part.casefold() for part in path)
        existing = plans.get(key)
        if existing is None:
            parent = add(path[:-1], None) if len(path) > 1 else None
            existing = ThemePlan(path=path, name=path[-1][:120], parent=parent, guids=[])
            if code is None:
                # A Taguette folder no tag of the file stands for: a category.
                existing.codable = False
            plans[key] = existing
            ordered.append(existing)
        if code is not None:
            if code.guid in seen:
                raise ImportRefused(f"The GUID of “{_shown(code.name)}” appears twice in the file.")
            seen.add(code.guid)
            existing.guids.append(code.guid)
            existing.description = existing.description or code.description
            existing.colour = existing.colour or code.colour
            existing.codable = code.codable
            for tag in sorted(set(code.other) - {"NoteRef"}):
                plan.dropped.append(f"{tag} inside “{code.name}” (not used in Common Ground).")
            if "NoteRef" in code.other:
                plan.dropped.append(f"Memos on the code “{code.name}” (memos travel with imported passages only).")
            if len(path[-1]) > 120:
                plan.changed.append(f"The long name of “{_shown(path[-1])}…” is cut to 120 characters.")
        return existing

    taguette = _is_taguette(parsed)

    def walk(codes: list[Code], prefix: tuple[str, ...]) -> None:
        for code in codes:
            if taguette:
                parts = tuple(part.strip() for part in code.name.split(TAGUETTE_SEPARATOR) if part.strip()) or (code.name,)
                if len(parts) > 1:
                    plan.mapped.append(
                        f"“{code.name}” becomes “{' › '.join(parts)}” (Taguette writes hierarchy as dotted names)."
                    )
                add(parts, code)
            else:
                add((*prefix, code.name), code)
                walk(code.children, (*prefix, code.name))

    walk(parsed.codes, ())
    return ordered


def plan_import(project: Project, parsed: ProjectFile, *, cohort: str, month: datetime.date) -> ImportPlan:
    """What confirming would do, changing nothing. Refuses (ImportRefused) what cannot be imported.

    Steps: build the theme tree (Taguette's dotted names unfolded); match each theme to this
    project's themes by GUID, else by name under the same parent; check every coding names a
    code of the file; give each source its cohort and month (from its Variables, else the form).
    """
    plan = ImportPlan(parsed.kind, [], [])
    plan.dropped.extend(parsed.dropped)
    plan.themes = _theme_tree(parsed, plan)
    themes = list(project.themes.all())
    by_guid = {str(t.guid): t for t in themes}
    by_name: dict[tuple[str, int | None], Theme] = {}
    for theme in themes:
        by_name.setdefault((theme.name.casefold(), theme.parent_id), theme)
    taken: set[int] = set()
    for item in plan.themes:
        parent_theme = item.parent.theme if item.parent else None
        parent_known = item.parent is None or parent_theme is not None
        theme = next((by_guid[g] for g in item.guids if g in by_guid), None)
        if theme is not None and theme.pk not in taken:
            item.theme, item.matched_by = theme, "guid"
        elif parent_known:
            theme = by_name.get((item.name.casefold(), parent_theme.pk if parent_theme else None))
            if theme is not None and theme.pk not in taken:
                item.theme, item.matched_by = theme, "name"
        shown = " › ".join(item.path)
        if item.theme is None:
            kind = "theme" if item.codable else "retired theme (a category: it holds sub-themes and takes no coding)"
            plan.created.append(f"{kind[0].upper()}{kind[1:]} “{shown}”.")
        else:
            taken.add(item.theme.pk)
            how = "by its identifier" if item.matched_by == "guid" else "by name and parent (the file gives it a new identifier)"
            plan.matched.append(f"“{shown}” matches the existing theme {how}; it is kept as it is here.")
        if not item.codable and item.theme is None:
            plan.mapped.append(
                f'“{shown}” is a category (isCodable="false"): Common Ground has no non-codable theme, '
                "so it becomes a retired theme."
            )
    guids = {g for item in plan.themes for g in item.guids}
    for source in parsed.sources:
        for selection in source.selections:
            for code_guid in selection.codes:
                if code_guid not in guids:
                    raise ImportRefused(
                        f"A coding in “{_shown(source.name)}” refers to a code that is not in the file's codebook."
                    )
    cohorts = list(project.cohorts or [])
    for number, source in enumerate(parsed.sources, start=1):
        chosen_cohort, chosen_month = cohort, month
        value = source.variables.get("cohort", "")
        if value:
            known = next((c for c in cohorts if c.casefold() == value.casefold()), None)
            if known:
                chosen_cohort = known
            else:
                plan.changed.append(
                    f"Text {number}: its cohort “{_shown(value)}” is not one of this project's; “{cohort}” is used."
                )
        if source.variables.get("month"):
            parsed_month = _month(source.variables["month"])
            if parsed_month:
                chosen_month = parsed_month
            else:
                plan.changed.append(
                    f"Text {number}: its month “{_shown(source.variables['month'])}” cannot be read; {month:%B %Y} is used."
                )
        codings = sum(len(s.codes) for s in source.selections)
        memos = sum(len([n for n in s.notes if parsed.notes.get(n)]) for s in source.selections)
        plan.sources.append(SourcePlan(source, chosen_cohort, chosen_month, codings, memos))
        plan.created.append(
            f"Text {number} ({len(source.text):,} characters, {codings} coding{'s' if codings != 1 else ''}"
            f"{f', {memos} memo' + ('s' if memos != 1 else '') if memos else ''}): a draft awaiting PII review, "
            f"{chosen_cohort}, {chosen_month:%B %Y}. Its codings attach when a coordinator releases it."
        )
        plan.changed.extend(source.changes)
        dropped_vars = sorted(set(source.variables) - {"cohort", "month"})
        if dropped_vars:
            plan.dropped.append(f"Text {number}: {len(dropped_vars)} other variable value(s) (only cohort and month are kept).")
    if parsed.kind == "qdpx" and not parsed.sources:
        plan.changed.append("The project has no text sources: only its codebook is imported.")
    return plan


def _month(value: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%Y-%m", "%B %Y", "%b %Y"):
        try:
            return datetime.datetime.strptime(value[:10] if pattern == "%Y-%m-%d" else value, pattern).date().replace(day=1)  # noqa: DTZ007 — a calendar month, no time
        except ValueError:
            continue
    return None


# ---- confirming -------------------------------------------------------------------------------


def _create_themes(project: Project, plan: ImportPlan) -> None:
    """Insert the plan's new themes level by level (a parent before its children), in bulk.

    A theme keeps the file's GUID (a round trip changes nothing) unless a row anywhere holds
    it already (GUIDs are global: a copy into another project gets its own); which GUIDs are
    taken is asked once, in batches."""
    new = [item for item in plan.themes if item.theme is None]
    wanted = [item.guids[0] for item in new if item.guids]
    taken: set[str] = set()
    for batch in _batches(wanted, 1):
        taken.update(str(g) for g in Theme.objects.filter(guid__in=batch).values_list("guid", flat=True))
    by_depth: dict[int, list[ThemePlan]] = {}
    for order, item in enumerate(plan.themes):
        if item.theme is not None:
            continue
        guid = item.guids[0] if item.guids and item.guids[0] not in taken else str(uuid.uuid4())
        taken.add(guid)
        item.theme = Theme(
            project=project,
            guid=guid,
            name=item.name,
            description=item.description,
            colour=_colour(item.colour) or "#1d70b8",
            order=order,
            status=Theme.Status.ACTIVE if item.codable else Theme.Status.RETIRED,
        )
        by_depth.setdefault(len(item.path), []).append(item)
    for depth in sorted(by_depth):
        for item in by_depth[depth]:
            item.theme.parent = item.parent.theme if item.parent else None
        Theme.objects.bulk_create([item.theme for item in by_depth[depth]])


@transaction.atomic
def confirm_import(project: Project, parsed: ProjectFile, *, cohort: str, month: datetime.date, by: User) -> ImportBatch:
    """Do what the dry run listed, in one transaction; every text enters the gate as a draft.

    Steps: plan again (the codebook may have changed since the dry run); create the new themes
    parents first; create the batch; for each text source an ImportedSource with its pending
    codings (theme GUIDs) and, encrypted, its text and memos, and its draft, submitted for
    review when the PII check finds nothing to resolve; audit.
    """
    from coproduction.analysis.imported_notes import NOTES_OWNER
    from coproduction.notes import actions as gate

    plan = plan_import(project, parsed, cohort=cohort, month=month)
    _create_themes(project, plan)
    guid_of_code = {guid: item.theme for item in plan.themes for guid in item.guids}
    by_pk = {t.pk: t for t in project.themes.all()}
    batch = ImportBatch.objects.create(project=project, created_by=by, report=[[h, items] for h, items in plan.lines])
    for position, source_plan in enumerate(plan.sources, start=1):
        source = source_plan.source
        codings = [
            {
                "selection": selection.guid,
                "start": selection.start,
                "end": selection.end,
                "theme": str(guid_of_code[code].guid),
                "path": _path(guid_of_code[code], by_pk),
            }
            for selection in source.selections
            for code in dict.fromkeys(selection.codes)
        ]
        memos = {
            s.guid: [text for text in [s.description, *(parsed.notes.get(n, "") for n in s.notes)] if text]
            for s in source.selections
        }
        imported = ImportedSource(
            project=project,
            batch=batch,
            position=position,
            name=source.name,
            cohort=source_plan.cohort,
            month=source_plan.month,
            pending_codings=codings,
        )
        imported.pending_content = {"text": source.text, "memos": {k: v for k, v in memos.items() if v}}
        imported.save()
        draft = NOTES_OWNER.start_draft(imported, author=by)
        draft.sections = {"text": source.text}
        draft.save(update_fields=["content"])
        try:
            with transaction.atomic():
                gate.submit_notes(draft, by=by)
        except gate.NotesRefused:
            # Findings to resolve (or the check could not run): the draft waits for the
            # coordinator on its notes page, like any other; nothing skips the gate.
            pass
    record(by, "import.confirmed", batch, project=project)
    return batch


def _colour(value: str) -> str | None:
    from coproduction.analysis.refiqda import _normalise_colour

    return _normalise_colour(value) if value else None


# ---- on release -------------------------------------------------------------------------------

TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def _token_blocks(a: str, b: str) -> list[tuple[int, int, int]]:
    a_tokens = TOKENS.findall(a)
    b_tokens = TOKENS.findall(b)
    a_starts = _starts(a_tokens)
    b_starts = _starts(b_tokens)
    matcher = difflib.SequenceMatcher(None, a_tokens, b_tokens, autojunk=False)
    return [(a_starts[i], b_starts[j], a_starts[i + n] - a_starts[i]) for i, j, n in matcher.get_matching_blocks() if n]


def _starts(pieces: list[str]) -> list[int]:
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    return starts


def equal_blocks(a: str, b: str) -> list[tuple[int, int, int]]:
    """(start in a, start in b, length) of the stretches the two texts share, in order.

    Lines first (fast on long texts), then words within the lines that differ (a redaction
    replaces a few words; heading and trimming add or remove whitespace at the ends)."""
    a_lines, b_lines = a.splitlines(keepends=True), b.splitlines(keepends=True)
    a_starts, b_starts = _starts(a_lines), _starts(b_lines)
    blocks: list[tuple[int, int, int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            blocks.append((a_starts[i1], b_starts[j1], a_starts[i2] - a_starts[i1]))
        elif tag == "replace":
            offset_a, offset_b = a_starts[i1], b_starts[j1]
            chunk = _token_blocks(a[offset_a : a_starts[i2]], b[offset_b : b_starts[j2]])
            blocks.extend((offset_a + x, offset_b + y, n) for x, y, n in chunk)
    merged: list[tuple[int, int, int]] = []
    for block in blocks:
        if merged and merged[-1][0] + merged[-1][2] == block[0] and merged[-1][1] + merged[-1][2] == block[1]:
            last = merged.pop()
            block = (last[0], last[1], last[2] + block[2])
        merged.append(block)
    return merged


def moved_span(blocks: list[tuple[int, int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Where [start, end) of the old text is in the new one, if it lies within one shared stretch."""
    for a0, b0, length in blocks:
        if a0 <= start and end <= a0 + length:
            return b0 + start - a0, b0 + end - a0
    return None


def attach_pending(imported: ImportedSource, document: Document) -> None:
    """Attach the imported codings and memos to the released Document, in the release's
    transaction; drop (and list in the batch's report) those whose text the review changed.

    A theme is found by GUID, else by its names from the top (it may have been re-parented
    or its GUID given to it anew). A fixed number of queries per source.
    """
    content = imported.pending_content
    original = content.get("text", "")
    blocks = equal_blocks(original, document.text)
    themes = list(imported.project.themes.all())
    by_guid = {str(t.guid): t for t in themes}
    by_path = {tuple(n.casefold() for n in _path(t, {x.pk: x for x in themes})): t for t in themes}
    batch = imported.batch
    coder = batch.created_by
    dropped: list[str] = []
    excerpts: dict[str, Excerpt] = {}
    first_at_span: dict[tuple[int, int], str] = {}
    same_as: dict[str, str] = {}
    wanted: list[tuple[str, Theme]] = []
    for coding in imported.pending_codings:
        theme = by_guid.get(coding["theme"]) or by_path.get(tuple(n.casefold() for n in coding.get("path", [])))
        name = " › ".join(coding.get("path", [])) or "a theme"
        span = moved_span(blocks, coding["start"], coding["end"])
        if theme is None:
            dropped.append(f"{imported.label}: a coding of “{name}” (the theme no longer exists).")
            continue
        if span is None or document.text[span[0] : span[1]] != original[coding["start"] : coding["end"]]:
            dropped.append(
                f"{imported.label}: a coding of “{name}” at characters {coding['start']}–{coding['end']} "
                "(the review changed that text)."
            )
            continue
        # Every coder of the file becomes the one who confirmed the import, so the same passage
        # selected by several of them is one excerpt here, and each theme is coded on it once.
        key = first_at_span.setdefault(span, coding["selection"])
        same_as[coding["selection"]] = key
        if key not in excerpts:
            excerpts[key] = Excerpt(document=document, start=span[0], end=span[1], coder=coder)
        wanted.append((key, theme))
    guids = set(excerpts)
    taken = set(str(g) for g in Excerpt.objects.filter(guid__in=guids).values_list("guid", flat=True))
    for key, excerpt in excerpts.items():
        excerpt.guid = uuid.uuid4() if key in taken else key
    Excerpt.objects.bulk_create(list(excerpts.values()))
    seen: set[tuple[str, int]] = set()
    Coding.objects.bulk_create(
        [
            Coding(excerpt=excerpts[key], theme=theme, coder=coder)
            for key, theme in wanted
            if (key, theme.pk) not in seen and not seen.add((key, theme.pk))
        ]
    )
    memos = [
        Memo(project=imported.project, excerpt=excerpts[same_as[key]], author=coder, text=text)
        for key, texts in content.get("memos", {}).items()
        if key in same_as
        for text in texts
    ]
    Memo.objects.bulk_create(memos)
    recount(imported.project, {theme.pk for _, theme in wanted})
    lost_memos = sum(len(texts) for key, texts in content.get("memos", {}).items() if key not in same_as)
    if lost_memos:
        dropped.append(f"{imported.label}: {lost_memos} memo(s) on passages whose codings were dropped.")
    # What has not passed the gate goes once the text has: the file's name for it and the
    # text as imported (the Document holds the released text).
    imported.pending_codings = []
    imported.pending_content = {}
    imported.name = ""
    imported.save(update_fields=["pending_codings", "pending", "name"])
    if dropped:
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        batch.dropped_at_release = [*batch.dropped_at_release, *dropped]
        batch.save(update_fields=["dropped_at_release"])


def _path(theme: Theme, by_pk: dict[int, Theme]) -> list[str]:
    names, node, seen = [], theme, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        names.append(node.name)
        node = by_pk.get(node.parent_id)
    return list(reversed(names))
