"""The anonymisation gate's workflows: save, scan, redact or dismiss, submit, send back, release.

Each function runs in one transaction, audits what it did (never content) and leaves what
follows (reminders, the owner's link to its Document) to the draft's registered owner.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coproduction import publishable
from coproduction.audit import record
from coproduction.models import Document, NotesDraft, PiiResolution, User
from coproduction.models.notes import MAX_NOTES_CHARACTERS
from coproduction.notes.owners import owner_of
from coproduction.pii import LABELS, Finding


class NotesConflict(Exception):
    """Someone saved the notes since this copy was opened; `draft` holds the saved text."""

    def __init__(self, draft: NotesDraft):
        super().__init__("The notes were changed elsewhere.")
        self.draft = draft


class NotesRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ScanUnavailable(NotesRefused):
    def __init__(self):
        super().__init__(
            "The check for personal information could not run, so these notes cannot be submitted or released now. "
            "Nothing was lost. Try again in a few minutes; if it keeps happening, tell your coordinator."
        )


@dataclass(frozen=True)
class SectionFinding:
    section: str
    heading: str
    finding: Finding

    @property
    def id(self) -> str:
        return f"{self.section}:{self.finding.start}:{self.finding.end}"

    @property
    def label(self) -> str:
        return LABELS[self.finding.type]


def text_hash(draft: NotesDraft, section: str, finding_type: str, text: str) -> str:
    """A keyed hash, so the resolution log cannot be used to guess what was dismissed."""
    return publishable.finding_hash(str(draft.pk), section, finding_type, text)


def _scan_sections(draft: NotesDraft) -> list[tuple[SectionFinding, PiiResolution | None]]:
    """Every finding in the draft's current text, each with the dismissal that kept it, if any.

    The whole text is scanned every time (after each save, redaction or dismissal), so a
    placeholder can never hide the words next to it. A detector that fails refuses, logged
    by detector and draft only: a gate that skipped a detector would pass text it never checked.
    """
    terms = publishable.scanner_terms(draft.project)
    dismissed = {
        (r.section, r.finding_type, r.text_hash): r
        for r in draft.resolutions.filter(action=PiiResolution.Action.DISMISSED).select_related("by")
    }
    found = []
    for key, heading, text in draft.section_list():
        try:
            findings = publishable.scan_or_refuse(text, terms, about=f"draft={draft.pk}")
        except publishable.ScanUnavailable:
            raise ScanUnavailable() from None
        for finding in findings:
            resolution = dismissed.get((key, finding.type, text_hash(draft, key, finding.type, finding.text)))
            found.append((SectionFinding(key, heading, finding), resolution))
    return found


def findings_for(draft: NotesDraft) -> list[SectionFinding]:
    """Every finding in the draft's current text that is not dismissed."""
    return [finding for finding, resolution in _scan_sections(draft) if resolution is None]


def dismissed_findings(draft: NotesDraft) -> list[tuple[SectionFinding, PiiResolution]]:
    """What the author kept, found again in the current text, with the reason they gave: the
    reviewer reads these beside the notes before releasing them."""
    return [(finding, resolution) for finding, resolution in _scan_sections(draft) if resolution is not None]


def clean_sections(draft: NotesDraft, submitted: dict[str, str]) -> dict[str, str]:
    keys = [key for key, _, _ in draft.section_list()]
    sections = {key: submitted.get(key, "").replace("\r\n", "\n") for key in keys}
    if sum(len(text) for text in sections.values()) > MAX_NOTES_CHARACTERS:
        raise NotesRefused(f"The notes are longer than {MAX_NOTES_CHARACTERS:,} characters. Shorten them and save again.")
    return sections


def _locked(draft: NotesDraft) -> NotesDraft:
    """Lock what the owner locks first (an interview's participant: the order withdrawal uses, so
    neither waits on the other in a cycle), then the draft; a draft erased meanwhile is a clear
    refusal, not an error."""
    owner_of(draft).lock(draft)
    try:
        return NotesDraft.objects.select_for_update().select_related("project").get(pk=draft.pk)
    except NotesDraft.DoesNotExist:
        raise NotesRefused("These notes no longer exist: the participant may have withdrawn.") from None


def _owner_consents(draft: NotesDraft, step: str):
    owner = owner_of(draft)
    subject = owner.subject(draft)
    refusal = owner.refusal(subject, step)
    if refusal:
        raise NotesRefused(refusal)
    return owner, subject


@transaction.atomic
def save_notes(draft: NotesDraft, *, sections: dict[str, str], version: int, by: User) -> NotesDraft:
    """Save if `version` is the saved version; otherwise raise NotesConflict and save nothing."""
    draft = _locked(draft)
    if not draft.is_editable:
        raise NotesRefused("These notes were submitted for review and cannot be changed now.")
    if draft.version != version:
        raise NotesConflict(draft)
    draft.sections = clean_sections(draft, sections)
    draft.version += 1
    draft.saved_at = timezone.now()
    draft.save(update_fields=["content", "version", "saved_at"])
    return draft


@transaction.atomic
def redact_finding(draft: NotesDraft, *, finding_id: str, version: int, by: User) -> NotesDraft:
    """Replace one finding's span with its placeholder (re-scanning the saved text first)."""
    draft = _locked(draft)
    if not draft.is_editable:
        raise NotesRefused("These notes were submitted for review and cannot be changed now.")
    if draft.version != version:
        raise NotesConflict(draft)
    match = next((f for f in findings_for(draft) if f.id == finding_id), None)
    if match is None:
        raise NotesRefused("That finding is no longer in the notes. The list below is up to date.")
    sections = dict(draft.sections)
    text = sections.get(match.section, "")
    sections[match.section] = text[: match.finding.start] + match.finding.placeholder + text[match.finding.end :]
    draft.sections = sections
    draft.version += 1
    draft.saved_at = timezone.now()
    draft.save(update_fields=["content", "version", "saved_at"])
    PiiResolution.objects.create(
        draft=draft, section=match.section, finding_type=match.finding.type, action=PiiResolution.Action.REDACTED, by=by
    )
    return draft


@transaction.atomic
def dismiss_finding(draft: NotesDraft, *, finding_id: str, reason: str, by: User) -> PiiResolution:
    draft = _locked(draft)
    if not draft.is_editable:
        raise NotesRefused("These notes were submitted for review and cannot be changed now.")
    if not reason.strip():
        raise NotesRefused("Give a reason for keeping this text.")
    match = next((f for f in findings_for(draft) if f.id == finding_id), None)
    if match is None:
        raise NotesRefused("That finding is no longer in the notes. The list below is up to date.")
    resolution = PiiResolution.objects.create(
        draft=draft,
        section=match.section,
        finding_type=match.finding.type,
        text_hash=text_hash(draft, match.section, match.finding.type, match.finding.text),
        action=PiiResolution.Action.DISMISSED,
        reason=reason.strip(),
        by=by,
    )
    record(by, "notes.finding_dismissed", draft, project=draft.project)
    return resolution


@transaction.atomic
def submit_notes(draft: NotesDraft, *, by: User) -> NotesDraft:
    """Refused while any finding is unresolved, the notes are empty or the owner refuses."""
    draft = _locked(draft)
    if not draft.is_editable:
        raise NotesRefused("These notes were already submitted.")
    owner, subject = _owner_consents(draft, "submit")
    if not any(text.strip() for text in draft.sections.values()):
        raise NotesRefused("Write the notes before submitting them.")
    unresolved = findings_for(draft)
    if unresolved:
        count = len(unresolved)
        raise NotesRefused(
            f"{count} possible piece{'s' if count != 1 else ''} of personal information "
            f"{'are' if count != 1 else 'is'} not resolved. Redact or dismiss each one, then submit."
        )
    draft.status = NotesDraft.Status.SUBMITTED
    draft.submitted_at = timezone.now()
    draft.save(update_fields=["status", "submitted_at"])
    record(by, "notes.submitted", draft, project=draft.project)
    owner.after_submit(subject)
    return draft


@transaction.atomic
def send_back(draft: NotesDraft, *, comment: str, by: User) -> NotesDraft:
    draft = _locked(draft)
    if draft.status != NotesDraft.Status.SUBMITTED:
        raise NotesRefused("Only notes waiting for review can be sent back.")
    if not comment.strip():
        raise NotesRefused("Say what needs changing.")
    draft.status = NotesDraft.Status.SENT_BACK
    draft.review_comment = comment.strip()
    draft.sent_back_at = timezone.now()
    draft.save(update_fields=["status", "review_comment", "sent_back_at"])
    record(by, "notes.sent_back", draft, project=draft.project)
    owner = owner_of(draft)
    owner.after_send_back(owner.subject(draft))
    return draft


@transaction.atomic
def release_notes(draft: NotesDraft, *, by: User) -> Document:
    """Release reviewed notes into the corpus as an immutable, anonymised Document.

    Steps: lock the draft; re-check that it is waiting for review, that the owner still lets
    the notes be kept and that no finding is unresolved (the deny-list may have grown since it
    was submitted); compose the Document from the sections and the owner's fields (a month,
    not a date; no name in the title); delete the draft, or keep it for DRAFT_RETENTION_DAYS;
    audit; let the owner link the Document and follow up.
    """
    draft = _locked(draft)
    if draft.status != NotesDraft.Status.SUBMITTED:
        raise NotesRefused("Only notes waiting for review can be released.")
    owner, subject = _owner_consents(draft, "release")
    if findings_for(draft):
        raise NotesRefused(
            "The notes contain personal information that is not resolved (the deny-list may have changed). Send them back."
        )
    text, spans = Document.compose([(heading, body) for _, heading, body in draft.section_list() if body.strip()])
    document = Document.objects.create(**owner.document_fields(subject), sections=spans, text=text, released_by=by)
    record(by, "notes.released", document, project=document.project)
    if settings.DRAFT_RETENTION_DAYS:
        draft.status = NotesDraft.Status.RELEASED
        draft.released_at = timezone.now()
        draft.save(update_fields=["status", "released_at"])
    else:
        draft.delete()
    owner.after_release(subject, document)
    return document


def purge_released_drafts() -> int:
    """Delete released drafts older than DRAFT_RETENTION_DAYS; return how many."""
    # delete() counts the cascaded resolutions too; the count reported is of drafts.
    _, deleted = NotesDraft.objects.retention_expired().delete()
    return deleted.get(NotesDraft._meta.label, 0)
