"""Interview workflows: booking, status changes, notes and the anonymisation gate, release.

Each function runs in one transaction, audits what it did (never content) and keeps the
notification outbox in step with the interview (`sync_interview_reminders`).
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coproduction.audit import record
from coproduction.eligibility import interviewer_problems
from coproduction.formfields import OUT_OF_RANGE, date_in_range
from coproduction.guides import publish_questions
from coproduction.models import AllowListTerm, DenyListTerm, Document, Notification, Participant, Project, Role, User, Venue
from coproduction.notifications import outbox
from coproduction.pii import LABELS, Finding, ScanFailed, scan
from interviews.models import (
    MAX_DURATION_MINUTES,
    MAX_NOTES_CHARACTERS,
    Interview,
    NotesDraft,
    PiiResolution,
    SafeguardingFlag,
    TopicGuide,
)
from interviews.signals import interview_completed

logger = logging.getLogger(__name__)


class BookingRefused(Exception):
    """The booking cannot be made; `problems` are plain-English reasons for the person booking."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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


# ---------------------------------------------------------------- reminders


def interview_reminders(interview: Interview) -> list[outbox.Reminder]:
    """The reminders an interview should have now, from its status.

    Scheduled: 24 h and 2 h before, to the interviewer and to the participant when they asked
    for reminders and gave contact details. Completed with notes still to submit: notes-overdue
    to the interviewer at +48 h and to the coordinators at +96 h.
    """
    # Absolute hours before the start: UTC arithmetic, so a clock change does not shift them.
    starts_at = interview.starts_at.astimezone(UTC)
    times = {"starts_at": starts_at, "ends_at": interview.ends_at}
    reminders: list[outbox.Reminder] = []
    if interview.status == Interview.Status.SCHEDULED:
        recipients: list[dict] = [{"user": interview.interviewer}]
        participant = interview.participant
        if participant.wants_reminders and (participant.contact_email or participant.contact_phone):
            recipients.append({"participant": participant})
        for slot, before in [("24h-before", timedelta(hours=24)), ("2h-before", timedelta(hours=2))]:
            for recipient in recipients:
                reminders.append(outbox.Reminder("appointment-reminder", starts_at - before, slot, **recipient, **times))
    elif (
        interview.status == Interview.Status.COMPLETED
        and interview.completed_at
        and interview.notes_released_at is None
        and interview.participant.withdrawn_at is None
        and _notes_may_be_kept(interview.participant)
    ):
        draft = NotesDraft.objects.filter(interview=interview).first()
        if draft is None or draft.is_editable:
            # Notes sent back are due again, counting from the send-back.
            since = draft.sent_back_at if draft is not None and draft.sent_back_at else interview.completed_at
            reminders.append(
                outbox.Reminder("notes-overdue", since + timedelta(hours=48), "notes-48h", user=interview.interviewer)
            )
            for coordinator in interview.project.coordinators:
                reminders.append(
                    outbox.Reminder("notes-overdue-coordinator", since + timedelta(hours=96), "notes-96h", user=coordinator)
                )
    return reminders


def _notes_may_be_kept(participant: Participant) -> bool:
    consent = participant.current_consent
    return consent is not None and consent.notes_kept


def sync_interview_reminders(interview: Interview) -> None:
    outbox.sync_reminders(interview, interview.project, interview_reminders(interview))


# ---------------------------------------------------------------- booking


def booking_problems(
    *,
    project: Project,
    participant: Participant,
    interviewer: User,
    starts_at: datetime,
    duration_minutes: int,
    venue: Venue,
    exclude: Interview | None = None,
) -> list[str]:
    if not date_in_range(starts_at):
        # Checked first: the arithmetic below overflows near the years 1 and 9999.
        return [OUT_OF_RANGE]
    problems = []
    if starts_at <= timezone.now():
        problems.append("The start time is in the past. Choose a time from now on.")
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        problems.append(f"The duration must be between 1 and {MAX_DURATION_MINUTES} minutes.")
    if participant.project_id != project.pk or venue.project_id != project.pk:
        problems.append("Choose a participant and a venue from this project.")
    if participant.withdrawn_at is not None:
        problems.append(f"{participant.code} has withdrawn consent and cannot be interviewed.")
    else:
        consent = participant.current_consent
        if consent is None or not consent.is_current:
            problems.append(f"{participant.code} has no current consent. Record their consent first.")
    if not venue.active:
        problems.append(f"{venue.name} is no longer in use. Choose another venue.")
    if not project.memberships.filter(user=interviewer, role=Role.PEER_RESEARCHER).exists():
        problems.append("The interviewer must be a peer researcher in this project.")
    else:
        problems.extend(interviewer_problems(interviewer, project))
    ends_at = starts_at.astimezone(UTC) + timedelta(minutes=duration_minutes)
    others = Interview.objects.filter(project=project)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.filter(interviewer=interviewer).overlapping(starts_at, ends_at):
        problems.append(f"{interviewer} already has an interview at that time.")
    if others.filter(participant=participant).overlapping(starts_at, ends_at):
        problems.append(f"{participant.code} already has an interview at that time.")
    return problems


def _lock(participant: Participant, interviewer: User) -> None:
    """Serialise bookings for the same people, so two overlapping bookings cannot both pass."""
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    User.objects.select_for_update().filter(pk=interviewer.pk).first()


@transaction.atomic
def book_interview(
    *,
    project: Project,
    participant: Participant,
    interviewer: User,
    starts_at: datetime,
    duration_minutes: int,
    venue: Venue,
    by: User,
) -> Interview:
    _lock(participant, interviewer)
    participant.refresh_from_db()
    guide = TopicGuide.objects.filter(project=project).order_by("-version").first()
    problems = booking_problems(
        project=project,
        participant=participant,
        interviewer=interviewer,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        venue=venue,
    )
    if guide is None:
        problems.append("The project has no topic guide yet. A coordinator adds one first.")
    if problems:
        raise BookingRefused(problems)
    interview = Interview.objects.create(
        project=project,
        participant=participant,
        interviewer=interviewer,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        venue=venue,
        topic_guide=guide,
        booked_by=by,
    )
    record(by, "interview.booked", interview)
    sync_interview_reminders(interview)
    return interview


@transaction.atomic
def reschedule_interview(
    interview: Interview, *, starts_at: datetime, duration_minutes: int, venue: Venue, interviewer: User, by: User
) -> Interview:
    _lock(interview.participant, interviewer)
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_scheduled:
        raise BookingRefused(["Only a scheduled interview can be moved."])
    problems = booking_problems(
        project=interview.project,
        participant=interview.participant,
        interviewer=interviewer,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        venue=venue,
        exclude=interview,
    )
    if problems:
        raise BookingRefused(problems)
    previous_interviewer = interview.interviewer
    interview.starts_at, interview.duration_minutes, interview.venue, interview.interviewer = (
        starts_at,
        duration_minutes,
        venue,
        interviewer,
    )
    interview.save(update_fields=["starts_at", "duration_minutes", "venue", "interviewer"])
    record(by, "interview.rescheduled", interview)
    sync_interview_reminders(interview)
    users = {previous_interviewer, interviewer}
    outbox.notify_now(
        template="appointment-moved",
        about=interview,
        key=f"moved-{starts_at:%Y%m%dT%H%M}-{interviewer.pk}",
        project=interview.project,
        users=users,
        participants=_participant_recipients(interview),
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
    )
    return interview


def _participant_recipients(interview: Interview) -> list[Participant]:
    participant = interview.participant
    if participant.wants_reminders and (participant.contact_email or participant.contact_phone):
        return [participant]
    return []


# An interview still "scheduled" this long after it started has been held or missed, whether or
# not anyone marked it: contact details are not kept for it.
STALE_BOOKING = timedelta(hours=24)
# Details entered for a booking that never came are not kept for ever either.
UNUSED_DETAILS = timedelta(days=30)


def contact_details_spent(participant: Participant, now: datetime | None = None) -> bool:
    """Contact details serve reminders only. They are spent when no interview is still to come
    and no message to the participant is still waiting to go out (a cancellation notice needs
    the address it is sent to)."""
    now = now or timezone.now()
    interviews = participant.interviews.all()
    to_come = interviews.filter(status=Interview.Status.SCHEDULED, starts_at__gt=now - STALE_BOOKING)
    if to_come.exists():
        return False
    waiting = participant.notifications.filter(status__in=[Notification.Status.PENDING, Notification.Status.SENDING])
    if waiting.exists():
        return False
    return interviews.exists() or participant.created_at <= now - UNUSED_DETAILS


def _erase_contact_details_if_done(participant: Participant) -> None:
    has_details = participant.contact_email or participant.contact_phone or participant.wants_reminders
    if has_details and contact_details_spent(participant):
        participant.erase_contact_details()


def erase_spent_contact_details(now: datetime | None = None) -> int:
    """Erase every participant's contact details once they are spent; return how many.

    Run by beat: after an interview (marked or not), after its last message has gone out, and
    for details never used within UNUSED_DETAILS. Withdrawal erases at once, elsewhere.
    """
    erased = 0
    holders = Participant.objects.filter(
        Q(contact_email__isnull=False) | Q(contact_phone__isnull=False) | Q(wants_reminders=True)
    )
    for participant in holders.iterator():
        with transaction.atomic():
            locked = Participant.objects.select_for_update().get(pk=participant.pk)
            if contact_details_spent(locked, now):
                locked.erase_contact_details()
                erased += 1
    return erased


@transaction.atomic
def change_status(interview: Interview, status: str, *, by: User) -> Interview:
    """Cancel, mark as did-not-attend, or mark completed. Only a scheduled interview changes."""
    interview = Interview.objects.select_for_update().select_related("participant", "project").get(pk=interview.pk)
    now = timezone.now()
    if not interview.is_scheduled:
        raise BookingRefused([f"This interview is already {interview.get_status_display().lower()}."])
    if status in {Interview.Status.COMPLETED, Interview.Status.NO_SHOW} and interview.starts_at > now:
        raise BookingRefused(["This interview has not started yet. Cancel it instead, or wait until it has started."])
    if status not in {Interview.Status.COMPLETED, Interview.Status.NO_SHOW, Interview.Status.CANCELLED}:
        raise BookingRefused(["Choose cancel, did not attend, or completed."])
    consent = interview.participant.current_consent
    if status == Interview.Status.COMPLETED and (consent is None or not consent.is_current):
        raise BookingRefused([f"{interview.participant.code} has no current consent, so the interview cannot take place."])
    if status == Interview.Status.CANCELLED:
        # Tell them before erasing the participant's contact details.
        outbox.notify_now(
            template="appointment-cancelled",
            about=interview,
            key="cancelled",
            project=interview.project,
            users=[interview.interviewer],
            participants=_participant_recipients(interview),
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
        )
    interview.status = status
    interview.status_changed_at = now
    fields = ["status", "status_changed_at"]
    if status == Interview.Status.COMPLETED:
        interview.completed_at = now
        fields.append("completed_at")
    interview.save(update_fields=fields)
    record(by, f"interview.{status}", interview)
    sync_interview_reminders(interview)
    _erase_contact_details_if_done(interview.participant)
    if status == Interview.Status.COMPLETED:
        transaction.on_commit(lambda: interview_completed.send(sender=Interview, interview=interview))
    return interview


# ---------------------------------------------------------------- safeguarding


@transaction.atomic
def raise_flag(interview: Interview, *, detail: str, by: User) -> SafeguardingFlag:
    """Alert the project's coordinators at once. The message says only that something needs them."""
    flag = SafeguardingFlag.objects.create(interview=interview, raised_by=by, detail=detail)
    record(by, "safeguarding.raised", flag, project=interview.project)
    outbox.notify_now(
        template="coordinator-alert",
        about=flag,
        key="raised",
        project=interview.project,
        users=list(interview.project.coordinators),
    )
    return flag


@transaction.atomic
def resolve_flag(flag: SafeguardingFlag, *, by: User) -> None:
    flag.resolved_at = timezone.now()
    flag.resolved_by = by
    flag.save(update_fields=["resolved_at", "resolved_by"])
    record(by, "safeguarding.resolved", flag, project=flag.interview.project)


# ---------------------------------------------------------------- notes and the gate


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
    message = f"{draft.pk}:{section}:{finding_type}:{text.casefold()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def open_draft(interview: Interview, *, by: User) -> NotesDraft:
    """The interviewer's draft for a completed interview, created on first opening."""
    if interview.status != Interview.Status.COMPLETED:
        raise NotesRefused("Notes can be written once the interview is marked completed.")
    if interview.notes_released_at is not None:
        raise NotesRefused("These notes were released into the corpus.")
    if interview.participant.withdrawn_at is not None:
        raise NotesRefused("The participant has withdrawn, so no notes are kept for this interview.")
    consent = interview.participant.current_consent
    if consent is None or not consent.notes_kept:
        raise NotesRefused("The participant did not agree to notes being kept, so none can be written.")
    draft, _ = NotesDraft.objects.get_or_create(interview=interview, defaults={"author": interview.interviewer})
    return draft


def _scan_sections(draft: NotesDraft) -> list[tuple[SectionFinding, PiiResolution | None]]:
    """Every finding in the draft's current text, each with the dismissal that kept it, if any.

    The whole text is scanned every time (after each save, redaction or dismissal), so a
    placeholder can never hide the words next to it. A detector that fails refuses, logged
    by detector and draft only: a gate that skipped a detector would pass text it never checked.
    """
    project = draft.interview.project
    deny_terms = DenyListTerm.objects.scanner_terms(project)
    allow_terms = AllowListTerm.objects.scanner_terms(project)
    dismissed = {
        (r.section, r.finding_type, r.text_hash): r
        for r in draft.resolutions.filter(action=PiiResolution.Action.DISMISSED).select_related("by")
    }
    found = []
    for key, heading, text in draft.section_list():
        try:
            findings = scan(text, deny_terms, allow_terms)
        except ScanFailed as failure:
            logger.error("PII scan failed: detector=%s draft=%s", failure.detector, draft.pk)
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
    """Lock the participant, then the draft (the order withdrawal uses, so neither waits on the
    other in a cycle); a draft erased meanwhile is a clear refusal, not an error."""
    Participant.objects.select_for_update(of=("self",)).filter(interviews__notes__pk=draft.pk).first()
    try:
        return (
            NotesDraft.objects.select_for_update().select_related("interview__participant", "interview__project").get(pk=draft.pk)
        )
    except NotesDraft.DoesNotExist:
        raise NotesRefused("These notes no longer exist: the participant may have withdrawn.") from None


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
    record(by, "notes.finding_dismissed", draft, project=draft.interview.project)
    return resolution


@transaction.atomic
def submit_notes(draft: NotesDraft, *, by: User) -> NotesDraft:
    """Refused while any finding is unresolved or the notes are empty."""
    draft = _locked(draft)
    if not draft.is_editable:
        raise NotesRefused("These notes were already submitted.")
    if draft.interview.participant.withdrawn_at is not None:
        raise NotesRefused("The participant has withdrawn, so these notes cannot be submitted.")
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
    record(by, "notes.submitted", draft, project=draft.interview.project)
    sync_interview_reminders(draft.interview)
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
    record(by, "notes.sent_back", draft, project=draft.interview.project)
    sync_interview_reminders(draft.interview)
    return draft


@transaction.atomic
def release_notes(draft: NotesDraft, *, by: User) -> Document:
    """Release reviewed notes into the corpus as an immutable, anonymised Document.

    Steps: lock the draft; re-check that it is waiting for review and that no finding is
    unresolved (the deny-list may have grown since it was submitted); compose the Document
    (sections, participant code, cohort, month of the interview — not the date); link it to
    the interview; delete the draft, or keep it for DRAFT_RETENTION_DAYS; audit.
    """
    draft = _locked(draft)
    interview = draft.interview
    if draft.status != NotesDraft.Status.SUBMITTED:
        raise NotesRefused("Only notes waiting for review can be released.")
    if interview.participant.withdrawn_at is not None:
        raise NotesRefused("The participant has withdrawn. These notes cannot be released.")
    consent = interview.participant.current_consent
    if consent is None or not consent.notes_kept:
        raise NotesRefused("The participant's consent does not cover keeping notes. These notes cannot be released.")
    if findings_for(draft):
        raise NotesRefused(
            "The notes contain personal information that is not resolved (the deny-list may have changed). Send them back."
        )
    local_start = timezone.localtime(interview.starts_at, interview.project.tzinfo)
    month = local_start.date().replace(day=1)
    text, spans = Document.compose([(heading, body) for _, heading, body in draft.section_list() if body.strip()])
    document = Document.objects.create(
        project=interview.project,
        participant=interview.participant,
        source=Document.Source.INTERVIEW,
        title=f"{interview.participant.code}, {month:%B %Y}",
        cohort=interview.participant.cohort,
        month=month,
        sections=spans,
        text=text,
        released_by=by,
    )
    interview.document = document
    interview.notes_released_at = timezone.now()
    interview.save(update_fields=["document", "notes_released_at"])
    record(by, "notes.released", document, project=interview.project)
    if settings.DRAFT_RETENTION_DAYS:
        draft.status = NotesDraft.Status.RELEASED
        draft.released_at = timezone.now()
        draft.save(update_fields=["status", "released_at"])
    else:
        draft.delete()
    sync_interview_reminders(interview)
    return document


def purge_released_drafts() -> int:
    """Delete released drafts older than DRAFT_RETENTION_DAYS; return how many."""
    # delete() counts the cascaded resolutions too; the count reported is of drafts.
    _, deleted = NotesDraft.objects.retention_expired().delete()
    return deleted.get(NotesDraft._meta.label, 0)


# ---------------------------------------------------------------- withdrawal


def erase_participant_notes(participant: Participant) -> dict[str, int]:
    """Registered with coproduction.erasure for a consent that no longer lets notes be kept:
    drafts go, and nobody is reminded to write notes that may not exist."""
    drafts = NotesDraft.objects.filter(interview__participant=participant)
    count = drafts.count()
    drafts.delete()
    for interview in participant.interviews.all():
        waiting = Notification.objects.about(interview).filter(
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING], template__startswith="notes-overdue"
        )
        waiting.update(status=Notification.Status.CANCELLED)
    return {"notes drafts": count}


def erase_participant_interviews(participant: Participant) -> dict[str, int]:
    """Registered with coproduction.erasure: drafts go, bookings still to come are cancelled."""
    drafts = NotesDraft.objects.filter(interview__participant=participant)
    draft_count = drafts.count()
    drafts.delete()
    upcoming = list(participant.interviews.filter(status=Interview.Status.SCHEDULED))
    for interview in upcoming:
        interview.status = Interview.Status.CANCELLED
        interview.status_changed_at = timezone.now()
        interview.save(update_fields=["status", "status_changed_at"])
        outbox.cancel_reminders(interview)
        # The interviewer must not travel to an appointment that is gone (the participant, who
        # withdrew, is not written to).
        outbox.notify_now(
            template="appointment-cancelled",
            about=interview,
            key="cancelled",
            project=interview.project,
            users=[interview.interviewer],
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
        )
    for interview in participant.interviews.all():
        outbox.cancel_reminders(interview)
    # A concern's few words may describe the participant: they go; the record that a concern
    # was raised and dealt with (who, when) stays for safeguarding.
    concern_notes = SafeguardingFlag.objects.filter(interview__participant=participant, detail__isnull=False)
    blanked = concern_notes.update(detail=None)
    return {"notes drafts": draft_count, "interviews cancelled": len(upcoming), "concern notes erased": blanked}


# ---------------------------------------------------------------- venues and topic guides


@transaction.atomic
def add_venue(*, project: Project, name: str, is_remote: bool, by: User) -> Venue:
    venue = Venue.objects.create(project=project, name=name, is_remote=is_remote)
    record(by, "venue.added", venue)
    return venue


@transaction.atomic
def set_venue_active(venue: Venue, active: bool, *, by: User) -> None:
    venue.active = active
    venue.save(update_fields=["active"])
    record(by, "venue.reopened" if active else "venue.closed", venue)


@transaction.atomic
def publish_topic_guide(*, project: Project, questions: list[str], by: User) -> TopicGuide:
    """A new version; interviews already booked keep the version they were booked with."""
    guide = publish_questions(TopicGuide, project=project, questions=questions)
    record(by, "topic_guide.published", guide)
    return guide
