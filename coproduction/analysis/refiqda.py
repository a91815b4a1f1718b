"""REFI-QDA exchange: codebook (.qdc) and project (.qdpx = project.qde + sources/) export, a
codebook CSV for Taguette, and codebook import.

- Every GUID is stored on its row, made once at random (uuid4): themes, documents (sources),
  excerpts (selections), codings, memos (notes), users, and the project (for the placeholder
  code of an empty codebook). Two exports of a project give the same GUIDs; no two rows,
  projects or installations share one (nothing is derived from a database id).
  Variables and Cases have no row to store one on: theirs is derived from the project's stored
  random GUID and a fixed key (`_variable_guid`), with the same properties.
- Offsets are 0-based Unicode code points, as the standard says and as they are stored. NVivo
  counts UTF-16 code units instead (an emoji is one code point, two units): the "for NVivo"
  format (`utf16=True`) converts, and says so in the file's Description.
- Cases (one per participant) and Variables (cohort, month as year-month, each coarse
  attribute) are on Cases and on each TextSource, so other tools can compare by cohort
  without parsing source names. Event notes have no participant, so no Case.
- isCodable: the standard (§11) keeps isCodable="false" for codes that cannot be used for coding,
  such as folders. A retired theme that carries codings is still a code with codings, so it is
  exported isCodable="true" (QualCoder and others would otherwise keep its codings with no
  code); a retired theme with no codings is exported isCodable="false". The file cannot say
  "retired": that is listed among the export's warnings.
- Codings on themes that are not in the codebook (proposed, not yet accepted) are not exported;
  they are never dropped silently: `exchange_warnings` lists them on the export page and in the
  project file's own Description (the spec asks tools to warn where data is lost, §7).
- Import parses with defusedxml (no DTDs, no entities), caps the size, accepts other tools'
  namespace quirks, and runs in one transaction: a bad file imports nothing.
"""

import bisect
import datetime
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from lxml import etree

from coproduction.analysis.counts import coding_set, codings_of
from coproduction.audit import record
from coproduction.models import AttributeDefinition, Document, Memo, Participant, Project, Theme, User
from coproduction.models.codebook import colour_validator
from coproduction.textcheck import validate_readable_text

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMAS = Path(__file__).parent / "schemas"
MAX_DEPTH = 20
UPDATED_FIELDS = ["name", "description", "colour", "parent", "order", "status"]


# Characters XML 1.0 cannot hold (control characters pasted in from elsewhere).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    return XML_ILLEGAL.sub("", value)


def max_import_bytes() -> int:
    return getattr(settings, "QDC_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


def _codes_element(parent, ns: str, themes: list[Theme], coded: set[int], notes: dict[int, list[str]] | None = None) -> None:
    ids = {t.pk for t in themes}
    children: dict[int | None, list[Theme]] = {}
    for theme in themes:
        children.setdefault(theme.parent_id if theme.parent_id in ids else None, []).append(theme)
    codes = etree.SubElement(parent, f"{{{ns}}}Codes")

    def add(container, theme: Theme):
        code = etree.SubElement(
            container,
            f"{{{ns}}}Code",
            guid=str(theme.guid),
            name=xml_text(theme.name),
            isCodable="true" if is_codable(theme, coded) else "false",
            color=theme.colour,
        )
        if theme.description:
            etree.SubElement(code, f"{{{ns}}}Description").text = xml_text(theme.description)
        for note_guid in (notes or {}).get(theme.pk, []):
            etree.SubElement(code, f"{{{ns}}}NoteRef", targetGUID=note_guid)
        for child in sorted(children.get(theme.pk, []), key=lambda t: (t.order, t.name)):
            add(code, child)

    for theme in sorted(children.get(None, []), key=lambda t: (t.order, t.name)):
        add(codes, theme)


EXPORTED_STATUSES = (Theme.Status.ACTIVE, Theme.Status.RETIRED)


def exportable_themes(project: Project) -> list[Theme]:
    return list(project.themes.filter(status__in=EXPORTED_STATUSES))


def coded_theme_ids(project: Project) -> set[int]:
    """Themes with at least one coding in the project (whatever the file's mode, so that the
    .qdc and the .qdpx, internal or for publication, mark a theme the same way)."""
    return set(codings_of(project).values_list("theme_id", flat=True).distinct())


def is_codable(theme: Theme, coded: set[int]) -> bool:
    return theme.status == Theme.Status.ACTIVE or theme.pk in coded


def exchange_warnings(project: Project, publication: bool = False, utf16: bool = False) -> list[str]:
    """What a REFI-QDA file of this project leaves out or cannot say (spec §7), in words for the
    export page and the file's Description. A fixed number of queries whatever the size of the
    project (five; seven for publication).

    For publication the number of codings left out is not given (a count under the project's
    threshold is not published).
    """
    warnings: list[str] = []
    left_out: dict[str, list[str]] = {}
    codings = coding_set(project)
    rows = (
        codings.rows()
        .exclude(theme__status__in=EXPORTED_STATUSES)
        .values("theme__status", "theme__name")
        .annotate(codings=Count("pk"))
        .order_by("theme__status", "theme__name")
    )
    for row in rows:
        count = "" if publication else f" ({row['codings']} coding{'s' if row['codings'] != 1 else ''})"
        left_out.setdefault(row["theme__status"], []).append(f"“{row['theme__name']}”{count}")
    for status, names in left_out.items():
        label = Theme.Status(status).label.lower()
        warnings.append(
            f"Codings on {label} themes are not in the .qdpx, and the themes are in neither codebook file: "
            f"{', '.join(names)}. A theme travels once an analyst accepts it into the codebook."
        )
    retired = (
        project.themes.filter(status=Theme.Status.RETIRED, pk__in=codings_of(project).values("theme_id"))
        .order_by("name")
        .values_list("name", flat=True)
    )
    if retired:
        names = ", ".join(f"“{name}”" for name in retired)
        warnings.append(
            f'Retired themes that carry codings are exported as codable codes (isCodable="true") so that other '
            f"tools keep their codings; the file cannot mark them retired: {names}."
        )
    corpus = Document.objects.filter(project=project).aggregate(
        sectioned=Count("pk", filter=~Q(sections=[]), distinct=True),
        chosen=Count("excerpts", filter=Q(excerpts__chosen_for_report=True), distinct=True),
    )
    if corpus["sectioned"]:
        warnings.append(
            "The sections of a text (the topic guide's headings and where each starts) are not carried: "
            "the standard has no place for them. The headings stay in the text."
        )
    if corpus["chosen"]:
        warnings.append(
            "Which passages are chosen as quotes for the theme report is not carried: the standard has no "
            "place for it (its Sets hold codes, sources and notes, not passages)."
        )
    if publication:
        warnings += publication_warnings(project)
    else:
        if codings.consensus:
            # The consensus is spans, not coders' passages: a memo on a passage has no place.
            passage_left_out = Q(excerpt__isnull=False)
        else:
            exported = codings.rows().filter(theme__status__in=EXPORTED_STATUSES)
            passage_left_out = Q(excerpt__isnull=False) & ~Q(excerpt__in=exported.values("excerpt_id"))
        orphaned = (
            Memo.objects.filter(project=project)
            .filter(Q(theme__isnull=False) & ~Q(theme__status__in=EXPORTED_STATUSES) | passage_left_out)
            .count()
        )
        if orphaned:
            warnings.append(
                f"{orphaned} memo{'s are' if orphaned != 1 else ' is'} not in the .qdpx: "
                f"{'they are' if orphaned != 1 else 'it is'} on a theme or a passage that is left out."
            )
    if utf16:
        warnings.append(
            "Positions count UTF-16 code units, as NVivo does, not Unicode code points as the standard says: "
            "tools that follow the standard (QualCoder, ATLAS.ti, MAXQDA) would place a coding that comes "
            "after an emoji or another character outside the Basic Multilingual Plane too late. For them, use the "
            "standard .qdpx."
        )
    return warnings


def publication_warnings(project: Project) -> list[str]:
    """What a file for publication leaves out on purpose (two queries)."""
    warnings = [
        "Made for publication: only texts whose participants agreed to publication are included (and event "
        "notes whose ground rules allowed quotes). Cases are named Case 1, Case 2 and so on, with no participant "
        "code; variables are the cohort, the month and the project's coarse attributes. There are no coders, no "
        "exact dates and no memos."
    ]
    bands = {d.name: set(d.choices) for d in AttributeDefinition.objects.filter(project=project)}
    recorded = Participant.objects.filter(project=project, documents__isnull=False).values_list("attributes", flat=True)
    dropped = sorted(
        {
            name
            for attributes in recorded
            for name, value in (attributes or {}).items()
            if value and value not in bands.get(name, ())
        }
    )
    if dropped:
        warnings.append(
            "Attribute values that are not among the project's bands (recorded before the bands changed, or an "
            f"attribute since removed) are left out: {', '.join(f'“{name}”' for name in dropped)}."
        )
    return warnings


def codebook_xml(project: Project) -> bytes:
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin="Common Ground")
    themes = exportable_themes(project)
    if themes:
        _codes_element(root, CODEBOOK_NS, themes, coded_theme_ids(project))
    else:
        # The schema needs at least one code; an empty codebook carries a placeholder folder.
        codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
        etree.SubElement(codes, f"{{{CODEBOOK_NS}}}Code", guid=str(project.guid), name="(empty)", isCodable="false")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _timestamp(value) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


SOURCE_KINDS = {Document.Source.INTERVIEW: "Interview", Document.Source.EVENT: "Event notes"}


def utf16_positions(text: str) -> Callable[[int], int]:
    """A function from a code-point offset in `text` to the same place counted in UTF-16 code
    units (what NVivo counts): each character outside the Basic Multilingual Plane (an emoji,
    some CJK) is one code point but two units. The identity when there are none."""
    astral = [index for index, char in enumerate(text) if ord(char) > 0xFFFF]
    if not astral:
        return lambda position: position
    return lambda position: position + bisect.bisect_left(astral, position)


def _variable_guid(project: Project, key: str) -> str:
    """Variables and Cases have no row of their own to store a GUID on: theirs is derived from the
    project's stored random GUID and a fixed key (never a name), so it is the same in every
    export, and no other project or installation can make it."""
    return str(uuid.uuid5(project.guid, key))


@dataclass
class _Variable:
    guid: str
    name: str
    description: str
    attribute: str = ""  # the attribute's name in Participant.attributes; "" for cohort and month


def _variables(project: Project, definitions: list[AttributeDefinition]) -> list[_Variable]:
    variables = [
        _Variable(_variable_guid(project, "variable:cohort"), "Cohort", "The participant's cohort (for event notes, the room's)"),
        _Variable(
            _variable_guid(project, "variable:month"),
            "Month",
            "The month the interview or event was held, as year-month (2026-05): never the day.",
        ),
    ]
    for definition in definitions:
        variables.append(
            _Variable(
                _variable_guid(project, f"variable:attribute:{definition.pk}"),
                definition.name,
                "A coarse attribute, one of: " + ", ".join(definition.choices),
                attribute=definition.name,
            )
        )
    return variables


def _attribute_values(
    participant: Participant | None, definitions: list[AttributeDefinition], publication: bool
) -> dict[str, str]:
    """{attribute name: value} a file may carry for this participant. For publication only the
    project's coarse bands: a value not among them (recorded before the bands changed) is left out."""
    if participant is None:
        return {}
    recorded = participant.attributes or {}
    values = {}
    for definition in definitions:
        value = recorded.get(definition.name)
        if isinstance(value, str) and value and (not publication or value in definition.choices):
            values[definition.name] = value
    return values


@dataclass
class _Selection:
    """One PlainTextSelection with its codings, as (guid, user id, time, theme id): a coder's
    excerpt, or one span of the consensus coding with every theme the consensus gives it."""

    document_id: int
    guid: str
    start: int
    end: int
    user_id: int | None
    created_at: datetime.datetime | None
    excerpt_id: int | None
    codings: list[tuple[str, int | None, datetime.datetime | None, int]] = field(default_factory=list)


def _coders_selections(rows: QuerySet) -> Iterator[_Selection]:
    """Coders' excerpts in document order, each with its codings, from a server-side cursor."""
    fields = (
        "excerpt__document_id",
        "excerpt_id",
        "excerpt__guid",
        "excerpt__start",
        "excerpt__end",
        "excerpt__coder_id",
        "excerpt__created_at",
        "guid",
        "coder_id",
        "created_at",
        "theme_id",
    )
    ordered = rows.order_by("excerpt__document_id", "excerpt__start", "excerpt_id", "pk").values_list(*fields)
    current = None
    for (
        document_id,
        excerpt_id,
        excerpt_guid,
        start,
        end,
        excerpt_coder,
        excerpt_at,
        guid,
        coder,
        at,
        theme_id,
    ) in ordered.iterator(chunk_size=2000):
        if current is None or current.excerpt_id != excerpt_id:
            if current:
                yield current
            current = _Selection(document_id, str(excerpt_guid), start, end, excerpt_coder, excerpt_at, excerpt_id)
        current.codings.append((str(guid), coder, at, theme_id))
    if current:
        yield current


def _consensus_selections(project: Project, rows: QuerySet, adjudication) -> Iterator[_Selection]:
    """Spans of the consensus coding in document order, one selection per span with a coding
    per theme. A consensus row has no GUID of its own (starting adjudication again replaces
    every row): theirs is derived from the project's stored random GUID and the stored GUIDs
    of the document and theme, so it is the same in every export of the same consensus."""
    fields = ("document_id", "document__guid", "start", "end", "theme__guid", "theme_id")
    ordered = rows.order_by("document_id", "start", "end", "theme_id").values_list(*fields)
    by, at = adjudication.started_by_id, adjudication.started_at
    current = None
    for document_id, document_guid, start, end, theme_guid, theme_id in ordered.iterator(chunk_size=2000):
        if current is None or (current.document_id, current.start, current.end) != (document_id, start, end):
            if current:
                yield current
            guid = _variable_guid(project, f"consensus:{document_guid}:{start}:{end}")
            current = _Selection(document_id, guid, start, end, by, at, None)
        current.codings.append(
            (_variable_guid(project, f"consensus:{document_guid}:{start}:{end}:{theme_guid}"), by, at, theme_id)
        )
    if current:
        yield current


def _element(xf, tag: str, text: str | None = None, **attributes: str) -> None:
    with xf.element(f"{{{PROJECT_NS}}}{tag}", attributes):
        if text:
            xf.write(text)


def _write_variable_values(xf, values: list[tuple[str, str]]) -> None:
    for guid, value in values:
        with xf.element(f"{{{PROJECT_NS}}}VariableValue"):
            _element(xf, "VariableRef", targetGUID=guid)
            _element(xf, "TextValue", xml_text(value))


def _source_name(document, publication: bool, numbers: dict[str, int], used: dict[str, int]) -> str:
    """Internally the Document's title (which names the participant code); for publication a
    neutral running number per kind ("Interview 1", "Event notes 2", counted in `numbers`),
    with the cohort and the month, which a published output may show. Tools key sources by
    name (QualCoder renames a second one "1_…"), so a name already `used` gets " – 2"."""
    if publication:
        kind = SOURCE_KINDS.get(document.source, "Source")
        numbers[kind] = numbers.get(kind, 0) + 1
        title = f"{kind} {numbers[kind]}"
    else:
        title = document.title
    name = xml_text(f"{title} ({document.cohort}, {document.month:%B %Y})")
    used[name] = used.get(name, 0) + 1
    return name if used[name] == 1 else f"{name} – {used[name]}"


def write_project_qde(project: Project, publication: bool, out, utf16: bool = False, progress=None) -> None:
    """Write project.qde to the binary file `out`, element by element (lxml's xmlfile), in
    memory that does not grow with the corpus: codings and texts come from server-side
    cursors a chunk at a time, and what is kept for the whole file is one small row per
    participant and per document (for the Cases) and the memos.

    Steps: the Users; the codebook; Variables (cohort, month, each of the project's coarse
    attributes); one Case per participant with a text in the file, with its cohort and
    attributes and a SourceRef to each of its texts (event notes have no participant, so no
    Case); the Sources, each with its selections and codings, a selection of its own for each
    memo on a passage (tools such as QualCoder keep a memo only there), and its variable
    values; the Notes; the file's own report (Description): which coding set it carries, and
    what it cannot carry.

    The codings are the project's coding set (counts.coding_set), as in every other export:
    the consensus coding when one exists (one selection per span, made by the analyst who
    reconciled it), otherwise every coder's excerpts and codings.

    Positions are Unicode code points, as the standard says; with `utf16` they count UTF-16
    code units instead, as NVivo does (the file says so in its Description).

    For publication the file keeps the promise every published output makes: no Users, no
    creatingUser, no exact date (creationDateTime is optional everywhere in Project.xsd, so it
    is left out; the month is a year-month variable and stays in the source name), no
    participant code in a source or Case name, no memos (analysts' notes), only coarse
    variables, and only texts whose participants agreed to publication.
    """
    themes = exportable_themes(project)
    theme_ids = {t.pk for t in themes}
    codings = coding_set(project)
    exported = codings.rows().filter(theme_id__in=theme_ids)
    if publication:
        exported = codings.publishable(exported)
    documents = Document.objects.filter(project=project)
    if publication:
        # Only the texts of participants who agreed to publication travel in a published project.
        documents = documents.filter(pk__in=exported.values(f"{codings.document}_id"))
    # Memos travel as Notes, referred to from their code or selection; a memo on a passage also
    # gets a selection of its own. They are internal analysis notes, so a project exported for
    # publication carries none; the consensus coding has no coders' passages to hang one on.
    memos: list[Memo] = []
    user_ids: set[int] = set()
    if not publication:
        on_passages = Q() if codings.consensus else Q(excerpt_id__in=exported.values("excerpt_id"))
        kept = Q(theme_id__in=theme_ids) | on_passages if on_passages else Q(theme_id__in=theme_ids)
        memos = list(Memo.objects.filter(project=project).filter(kept).select_related("excerpt").order_by("pk"))
        if codings.consensus:
            user_ids = {codings.adjudication.started_by_id}
        else:
            user_ids = set(exported.values_list("coder_id", flat=True).distinct())
            user_ids |= set(exported.values_list("excerpt__coder_id", flat=True).distinct())
        user_ids |= set(Memo.objects.filter(project=project).values_list("author_id", flat=True))
    users = list(User.objects.filter(pk__in=user_ids).order_by("pk").only("pk", "guid"))
    user_guid = {user.pk: str(user.guid) for user in users}

    def made(user_id: int | None, at) -> dict[str, str]:
        """Who made it and when: internal exports only (a published file names no coder and
        gives no exact date)."""
        return {} if publication else {"creatingUser": user_guid[user_id], "creationDateTime": _timestamp(at)}

    theme_notes: dict[int, list[str]] = {}
    excerpt_memos: dict[int, list[Memo]] = {}
    for memo in memos:
        if memo.theme_id:
            theme_notes.setdefault(memo.theme_id, []).append(str(memo.guid))
        else:
            excerpt_memos.setdefault(memo.excerpt_id, []).append(memo)
    memo_documents = {memo.excerpt.document_id for memo in memos if memo.excerpt_id}

    # One small row per document and participant, for the Cases (which come before the Sources).
    refs: dict[int, list[str]] = {}
    any_document = False
    for _pk, guid, participant_id in (
        documents.order_by("pk").values_list("pk", "guid", "participant_id").iterator(chunk_size=2000)
    ):
        any_document = True
        if participant_id:
            refs.setdefault(participant_id, []).append(str(guid))
    participants = {
        p.pk: p for p in Participant.objects.filter(pk__in=list(refs)).order_by("pk").only("pk", "code", "cohort", "attributes")
    }
    definitions = list(AttributeDefinition.objects.filter(project=project).order_by("order", "name"))
    variables = _variables(project, definitions)
    cohort_var, month_var = variables[0], variables[1]
    by_attribute = {v.attribute: v for v in variables if v.attribute}
    theme_guid = {t.pk: str(t.guid) for t in themes}
    theme_name = {t.pk: t.name for t in themes}

    attributes = {"name": xml_text(project.name), "origin": "Common Ground"}
    if not publication:
        attributes["creationDateTime"] = _timestamp(project.created_at)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{PROJECT_NS}}}Project", attributes, nsmap={None: PROJECT_NS}):
            if users:
                with xf.element(f"{{{PROJECT_NS}}}Users"):
                    for number, user in enumerate(users, start=1):
                        # Coders appear by their stored GUID and a neutral label, never by name or email.
                        _element(xf, "User", guid=str(user.guid), name=f"Coder {number}")
            codebook = etree.Element(f"{{{PROJECT_NS}}}CodeBook", nsmap={None: PROJECT_NS})
            if themes:
                _codes_element(codebook, PROJECT_NS, themes, coded_theme_ids(project), theme_notes)
            else:
                codes = etree.SubElement(codebook, f"{{{PROJECT_NS}}}Codes")
                etree.SubElement(codes, f"{{{PROJECT_NS}}}Code", guid=str(project.guid), name="(empty)", isCodable="false")
            xf.write(codebook)
            if any_document:
                with xf.element(f"{{{PROJECT_NS}}}Variables"):
                    for variable in variables:
                        with xf.element(
                            f"{{{PROJECT_NS}}}Variable", guid=variable.guid, name=xml_text(variable.name), typeOfVariable="Text"
                        ):
                            _element(xf, "Description", xml_text(variable.description))
            if participants:
                with xf.element(f"{{{PROJECT_NS}}}Cases"):
                    for number, participant in enumerate(participants.values(), start=1):
                        # For publication a neutral running number, never the participant code.
                        name = f"Case {number}" if publication else xml_text(participant.code)
                        guid = _variable_guid(project, f"case:participant:{participant.pk}")
                        with xf.element(f"{{{PROJECT_NS}}}Case", guid=guid, name=name):
                            values = _attribute_values(participant, definitions, publication)
                            _write_variable_values(
                                xf,
                                [(cohort_var.guid, participant.cohort)] + [(by_attribute[n].guid, v) for n, v in values.items()],
                            )
                            for document_guid in refs[participant.pk]:
                                _element(xf, "SourceRef", targetGUID=document_guid)
            refs.clear()

            if codings.consensus:
                selections = _consensus_selections(project, exported, codings.adjudication)
            else:
                selections = _coders_selections(exported)
            if progress:
                selections = _reported(selections, exported.count(), progress)
            pending = next(selections, None)
            source_names: dict[int, str] = {}
            numbers: dict[str, int] = {}
            used_names: dict[str, int] = {}
            fields = ["pk", "guid", "source", "title", "cohort", "month", "participant_id"] + (["text"] if utf16 else [])
            if any_document:
                with xf.element(f"{{{PROJECT_NS}}}Sources"):
                    for document in documents.order_by("pk").only(*fields).iterator(chunk_size=200):
                        name = _source_name(document, publication, numbers, used_names)
                        if document.pk in memo_documents:
                            source_names[document.pk] = name
                        while pending is not None and pending.document_id < document.pk:
                            pending = next(selections, None)  # its document left the corpus meanwhile
                        position = utf16_positions(document.text) if utf16 else (lambda offset: offset)
                        guid = str(document.guid)
                        with xf.element(
                            f"{{{PROJECT_NS}}}TextSource", guid=guid, name=name, plainTextPath=f"internal://{guid}.txt"
                        ):
                            while pending is not None and pending.document_id == document.pk:
                                _write_selection(xf, pending, position, made, theme_guid, excerpt_memos)
                                pending = next(selections, None)
                            participant = participants.get(document.participant_id)
                            values = _attribute_values(participant, definitions, publication)
                            _write_variable_values(
                                xf,
                                [(cohort_var.guid, document.cohort), (month_var.guid, f"{document.month:%Y-%m}")]
                                + [(by_attribute[n].guid, v) for n, v in values.items()],
                            )
            if memos:
                with xf.element(f"{{{PROJECT_NS}}}Notes"):
                    for memo in memos:
                        if memo.theme_id:
                            name = f"Memo on the theme “{theme_name[memo.theme_id]}”"
                        else:
                            name = f"Memo on a passage of {source_names.get(memo.excerpt.document_id, 'a text')}"
                        with xf.element(
                            f"{{{PROJECT_NS}}}Note",
                            guid=str(memo.guid),
                            name=xml_text(name),
                            **made(memo.author_id, memo.created_at),
                        ):
                            _element(xf, "PlainTextContent", xml_text(memo.text))
            # The file's own report: which codings it carries, and what it does not carry
            # (Description comes after Notes).
            lines = [f"Exported from Common Ground. The codings are {codings.described}."]
            warnings = exchange_warnings(project, publication, utf16)
            if warnings:
                lines += ["Not carried over or changed:", *(f"- {w}" for w in warnings)]
            _element(xf, "Description", xml_text("\n".join(lines)))


def _write_selection(xf, selection: _Selection, position, made, theme_guid, excerpt_memos) -> None:
    start, end = str(position(selection.start)), str(position(selection.end))
    with xf.element(
        f"{{{PROJECT_NS}}}PlainTextSelection",
        guid=selection.guid,
        startPosition=start,
        endPosition=end,
        **made(selection.user_id, selection.created_at),
    ):
        for guid, user_id, at, theme_id in selection.codings:
            with xf.element(f"{{{PROJECT_NS}}}Coding", guid=guid, **made(user_id, at)):
                _element(xf, "CodeRef", targetGUID=theme_guid[theme_id])
        for memo in excerpt_memos.get(selection.excerpt_id, ()):
            _element(xf, "NoteRef", targetGUID=str(memo.guid))
    for memo in excerpt_memos.get(selection.excerpt_id, ()):
        # The memo's own selection over the same passage, with the memo as its Description:
        # what QualCoder and others read as a memo or annotation.
        with xf.element(
            f"{{{PROJECT_NS}}}PlainTextSelection",
            guid=str(uuid.uuid5(memo.guid, "selection")),
            name="Memo",
            startPosition=start,
            endPosition=end,
            **made(memo.author_id, memo.created_at),
        ):
            _element(xf, "Description", xml_text(memo.text))
            _element(xf, "NoteRef", targetGUID=str(memo.guid))


def _reported(selections: Iterator[_Selection], total: int, progress) -> Iterator[_Selection]:
    """The selections unchanged, calling progress(codings done, total) about a hundred times."""
    every = max(200, total // 100)
    done = reported = 0
    for selection in selections:
        done += len(selection.codings)
        if done - reported >= every:
            progress(done, total)
            reported = done
        yield selection


def write_qdpx(project: Project, publication: bool, out, utf16: bool = False, progress=None) -> None:
    """The .qdpx archive, member by member: project.qde written straight into its zip member,
    then each text as sources/<guid>.txt, read a chunk of documents at a time."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("project.qde", "w") as member:
            write_project_qde(project, publication, member, utf16, progress)
        documents = Document.objects.filter(project=project)
        if publication:
            exported = coding_set(project)
            rows = exported.publishable(exported.rows().filter(theme__status__in=EXPORTED_STATUSES))
            documents = documents.filter(pk__in=rows.values(f"{exported.document}_id"))
        for guid, text in documents.order_by("pk").values_list("guid", "text").iterator(chunk_size=200):
            with archive.open(f"sources/{guid}.txt", "w") as member:
                member.write(text.encode("utf-8"))


def validate(xml: bytes, schema: str) -> None:
    """Raise lxml's DocumentInvalid if xml does not follow Codebook.xsd or Project.xsd."""
    parsed = etree.fromstring(xml)  # noqa: S320 — our own output, used by tests and checks
    etree.XMLSchema(etree.parse(str(SCHEMAS / schema))).assertValid(parsed)


# ---- import ---------------------------------------------------------------------------------


class ImportRefused(Exception):
    """The file could not be imported; nothing was saved."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    not_carried_over: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _check_readable(text: str, what: str, name: str) -> None:
    """Theme names and descriptions reach every export: refuse what the app's forms refuse."""
    try:
        validate_readable_text(text)
    except ValidationError as error:
        shown = "".join(ch for ch in name if ch.isprintable())[:60]
        raise ImportRefused(f"The {what} of the code “{shown}” cannot be used: {' '.join(error.messages)}")


def parse_codebook(data: bytes) -> list[dict]:
    """[{guid, name, description, colour, codable, children: [...]}] from a .qdc file.

    Accepts any namespace (ATLAS.ti writes 0:4 variants, some tools write none) by matching
    local names only.
    """
    if len(data) > max_import_bytes():
        raise ImportRefused(f"The file is larger than {max_import_bytes() // 1024} KB, the most that can be imported.")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImportRefused("The file declares a DTD or entities, which are not accepted. Export it again as plain REFI-QDA XML.")
    except SafeET.ParseError as error:
        raise ImportRefused(f"The file is not well-formed XML ({error}).")
    if _local(root.tag) not in {"CodeBook", "Project"}:
        raise ImportRefused("This is not a REFI-QDA codebook: it has no CodeBook element.")
    codes = next((el for el in root.iter() if _local(el.tag) == "Codes"), None)
    if codes is None:
        raise ImportRefused("The codebook has no Codes element.")

    def read(element, depth: int) -> dict:
        if depth > MAX_DEPTH:
            raise ImportRefused(f"The codebook is nested more than {MAX_DEPTH} levels deep.")
        name = (element.get("name") or "").strip()
        guid = element.get("guid") or ""
        if not name:
            raise ImportRefused("A code has no name.")
        _check_readable(name, "name", name)
        try:
            guid = str(uuid.UUID(guid.strip("{}")))
        except ValueError:
            raise ImportRefused(f"The code “{name[:60]}” has no valid GUID.")
        description = ""
        children = []
        other = []
        for child in element:
            tag = _local(child.tag)
            if tag == "Description":
                description = (child.text or "").strip()
                _check_readable(description, "description", name)
            elif tag == "Code":
                children.append(read(child, depth + 1))
            else:
                other.append(tag)
        return {
            "guid": guid,
            "name": name[:120],
            "name_cut": len(name) > 120,
            "description": description,
            "colour": element.get("color") or "",
            "codable": (element.get("isCodable") or "true").lower() != "false",
            "children": children,
            "other": other,
        }

    tree = [read(el, 1) for el in codes if _local(el.tag) == "Code"]
    if "taguette" in (root.get("origin") or "").casefold() and all(not node["children"] for node in tree):
        return _unfold_dotted_names(tree)
    return tree


TAGUETTE_SEPARATOR = "."


def _unfold_dotted_names(flat: list[dict]) -> list[dict]:
    """Taguette writes a flat codebook whose dotted names are its hierarchy ("safety.lighting"):
    each becomes a theme under its parent. A parent no tag of the file stands for ("services"
    of "services.outreach") becomes a non-codable folder with an identifier of its own, found
    again by name on a re-import."""
    roots: list[dict] = []
    nodes: dict[tuple[str, ...], dict] = {}

    def place(parts: tuple[str, ...], node: dict | None) -> dict:
        key = tuple(part.casefold() for part in parts)
        existing = nodes.get(key)
        if existing is None:
            siblings = place(parts[:-1], None)["children"] if len(parts) > 1 else roots
            existing = node or {
                "guid": str(uuid.uuid4()),
                "name": parts[-1][:120],
                "name_cut": len(parts[-1]) > 120,
                "description": "",
                "colour": "",
                "codable": False,
                "children": [],
                "other": [],
            }
            nodes[key] = existing
            siblings.append(existing)
        elif node is not None:
            # The tag stands for a folder made earlier for one of its children.
            children = existing["children"]
            existing.clear()
            existing.update(node, children=children)
        return existing

    for node in flat:
        parts = tuple(part.strip() for part in node["name"].split(TAGUETTE_SEPARATOR) if part.strip()) or (node["name"],)
        if len(parts) > 1:
            node = {**node, "name": parts[-1][:120], "name_cut": len(parts[-1]) > 120, "dotted_from": node["name"]}
        place(parts, node)
    return roots


def _normalise_colour(value: str) -> str | None:
    if len(value) == 4 and value.startswith("#"):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    try:
        colour_validator(value)
    except Exception:
        return None
    return value.lower()


@dataclass
class _Planned:
    """One code of the file, matched to the theme it creates or updates."""

    theme: Theme
    parent: "_Planned | None"
    depth: int


def _flatten(tree: list[dict]) -> list[tuple[dict, dict | None, int, int]]:
    """(node, parent node, order among siblings, depth) for every code, parents first."""
    flat: list[tuple[dict, dict | None, int, int]] = []
    stack = [(node, None, index, 1) for index, node in reversed(list(enumerate(tree)))]
    while stack:
        node, parent, order, depth = stack.pop()
        flat.append((node, parent, order, depth))
        stack.extend((child, node, index, depth + 1) for index, child in reversed(list(enumerate(node["children"]))))
    return flat


def _batches(items: list, params_per_item: int) -> Iterator[list]:
    """Items in as few queries as the database takes parameters for (SQLite: 999 a query;
    PostgreSQL with client-side binding: no limit, so one query)."""
    limit = connection.features.max_query_params
    size = max(1, (limit - 1) // params_per_item) if limit else max(1, len(items))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _guids_used_elsewhere(project: Project, guids: list[str]) -> set[str]:
    """The GUIDs among `guids` that belong to another project's themes."""
    taken: set[str] = set()
    for batch in _batches(guids, 1):
        taken.update(str(g) for g in Theme.objects.filter(guid__in=batch).exclude(project=project).values_list("guid", flat=True))
    return taken


def _update_themes(themes: list[Theme]) -> None:
    """Write the imported fields of existing themes with one UPDATE … FROM (VALUES …) per batch.

    Not `bulk_update`: it builds one CASE WHEN per row and column, which takes Django about
    a second per thousand themes and the database rows × rows to evaluate (for 24,000 themes
    in one batch, PostgreSQL was still at it after 45 minutes); even in small batches a
    24,000-code codebook took 30 s of CPU, past the web server's timeout. PostgreSQL and SQLite (3.33 and later) both
    accept this statement; VALUES columns are named column1, column2, … on both.
    """
    quote = connection.ops.quote_name
    fields = [Theme._meta.get_field(name) for name in UPDATED_FIELDS]
    casts = ["bigint"] + ["bigint" if f.name in {"parent", "order"} else "text" for f in fields]
    row = "(" + ", ".join(f"CAST(%s AS {cast})" for cast in casts) + ")"
    table = quote(Theme._meta.db_table)
    assignments = ", ".join(f"{quote(f.column)} = v.column{i}" for i, f in enumerate(fields, start=2))
    with connection.cursor() as cursor:
        for batch in _batches(themes, len(casts)):
            params = [value for theme in batch for value in (theme.pk, *_values(theme))]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(batch))}) AS v "  # noqa: S608 — names from the model, values as parameters
                f"WHERE {table}.{quote('id')} = v.column1",
                params,
            )


@transaction.atomic
def import_codebook(project: Project, data: bytes, *, by: User) -> ImportReport:
    """Create or update themes from a .qdc; GUIDs are kept so a round trip changes nothing.

    A GUID that belongs to another project's theme is not taken over (GUIDs are global): the
    copy gets its own, and is found again by name under the same parent on a re-import.

    Steps, with a fixed number of queries whatever the size of the file (apart from the
    batches the database needs): parse and check the whole file; read this project's themes
    once; ask once (in batches) which GUIDs other projects hold; match each code in memory;
    then insert new themes level by level (a parent before its children) and update the
    matched ones in bulk. Everything runs in one transaction: a refusal saves nothing.
    """
    tree = parse_codebook(data)
    flat = _flatten(tree)
    seen: set[str] = set()
    for node, _parent, _order, _depth in flat:
        if node["guid"] in seen:
            raise ImportRefused(f"The GUID of “{node['name'][:60]}” appears twice in the file.")
        seen.add(node["guid"])

    report = ImportReport()
    themes = list(project.themes.all())
    by_guid = {str(t.guid): t for t in themes}
    by_pk = {t.pk: t for t in themes}
    before = {t.pk: _values(t) for t in themes}
    # Existing themes by (name, parent), for codes whose GUID another project holds.
    by_name: dict[tuple[str, int], Theme] = {}
    for theme in themes:
        by_name.setdefault((theme.name.casefold(), id(by_pk.get(theme.parent_id))), theme)
    elsewhere = _guids_used_elsewhere(project, [g for g in seen if g not in by_guid])

    planned: dict[int, _Planned] = {}
    matched: set[int] = set()
    for node, parent_node, order, depth in flat:
        parent = planned[id(parent_node)] if parent_node is not None else None
        parent_theme = parent.theme if parent else None
        guid = node["guid"]
        theme = by_guid.get(guid)
        if theme is None and guid in elsewhere:
            report.not_carried_over.append(
                f"The identifier of “{node['name']}” (already used in another project; the copy here has its own)."
            )
            theme = by_name.get((node["name"].casefold(), id(parent_theme))) or Theme(project=project)
        elif theme is None:
            # A second export of one codebook from a tool that makes new GUIDs each time
            # (QualCoder): the theme of the same name under the same parent is the same theme.
            theme = by_name.get((node["name"].casefold(), id(parent_theme))) or Theme(project=project, guid=guid)
            if theme.pk is not None:
                report.not_carried_over.append(
                    f"The new identifier of “{node['name']}” "
                    "(matched by name and parent to the existing theme, which keeps its own)."
                )
        if id(theme) in matched:
            # Two codes of the file found one theme by name: the second is a theme of its own.
            theme = Theme(project=project)
        matched.add(id(theme))
        if theme.pk is None:
            report.created += 1
            by_name.setdefault((node["name"].casefold(), id(parent_theme)), theme)
        else:
            report.updated += 1
        colour = _normalise_colour(node["colour"]) if node["colour"] else None
        _note_what_is_dropped(node, colour, report)
        if node.get("dotted_from"):
            report.mapped.append(
                f"“{node['dotted_from']}” is the theme “{node['name']}” under its parent "
                "(Taguette writes hierarchy as dotted names)."
            )
        theme.name = node["name"]
        theme.description = node["description"]
        if colour:
            theme.colour = colour
        theme.order = order
        if theme.status in {Theme.Status.PROPOSED, Theme.Status.DECLINED} or theme.pk is None:
            theme.status = Theme.Status.ACTIVE if node["codable"] else Theme.Status.RETIRED
        planned[id(node)] = _Planned(theme, parent, depth)

    new_by_depth: dict[int, list[_Planned]] = {}
    updated: list[_Planned] = []
    for plan in planned.values():
        if plan.theme.pk is None:
            new_by_depth.setdefault(plan.depth, []).append(plan)
        else:
            updated.append(plan)
    for depth in sorted(new_by_depth):
        # Parents were inserted at the level above (or exist), so their primary keys are known.
        for plan in new_by_depth[depth]:
            plan.theme.parent = plan.parent.theme if plan.parent else None
        Theme.objects.bulk_create([plan.theme for plan in new_by_depth[depth]])
    changed = []
    for plan in updated:
        plan.theme.parent = plan.parent.theme if plan.parent else None
        if _values(plan.theme) != before[plan.theme.pk]:
            changed.append(plan.theme)
    _update_themes(changed)
    record(by, "codebook.imported", project)
    return report


def _values(theme: Theme) -> tuple:
    return tuple(getattr(theme, name) for name in ("name", "description", "colour", "parent_id", "order", "status"))


def _note_what_is_dropped(node: dict, colour: str | None, report: ImportReport) -> None:
    if node["colour"] and colour is None:
        report.not_carried_over.append(f"Colour “{node['colour'][:20]}” of “{node['name']}” (not a #RRGGBB colour).")
    if node["name_cut"]:
        report.not_carried_over.append(f"The end of the long name of “{node['name']}” (cut to 120 characters).")
    for tag in sorted(set(node["other"])):
        report.not_carried_over.append(f"{tag} inside “{node['name']}” (not used in Common Ground).")


def qdc_bytes(project: Project) -> bytes:
    return codebook_xml(project)


def qdpx_bytes(project: Project, publication: bool, utf16: bool = False) -> bytes:
    buffer = io.BytesIO()
    write_qdpx(project, publication, buffer, utf16)
    return buffer.getvalue()
