"""Interview workflows: booking, status changes, the interview as an owner of notes.

Each function runs in one transaction, audits what it did (never content) and keeps the
notification outbox in step with the interview (`sync_interview_reminders`). The notes
themselves pass the shared anonymisation gate (`coproduction.notes`); `InterviewNotes` is
what an interview gives it.
"""

import logging
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coproduction.audit import record
from coproduction.eligibility import interviewer_problems
from coproduction.formfields import OUT_OF_RANGE, date_in_range
from coproduction.guides import publish_questions
from coproduction.models import (
    Document,
    NotesDraft,
    Notification,
    Participant,
    Project,
    ProtocolStep,
    Role,
    SupportService,
    User,
    Venue,
)
from coproduction.notes import actions as gate
from coproduction.notes.owners import NotesOwner, register_owner
from coproduction.notifications import outbox
from interviews.models import MAX_DURATION_MINUTES, Interview, ProtocolUse, SafeguardingFlag, TopicGuide
from interviews.signals import interview_completed, protocol_used

logger = logging.getLogger(__name__)


class BookingRefused(Exception):
    """The booking cannot be made; `problems` are plain-English reasons for the person booking."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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


OWNER_KIND = "interview"


class InterviewNotes(NotesOwner):
    """What an interview gives the gate: its topic guide's questions, its participant's consent,
    a Document of the participant's code and cohort and the interview's month; after each step
    its reminders are brought in step, and a release links the Document to the interview."""

    kind = OWNER_KIND
    label = "Interview"
    review_url_name = "interviews:review"

    def subject(self, draft: NotesDraft) -> Interview:
        return Interview.objects.select_related("participant", "project").get(notes=draft)

    def sections(self, draft: NotesDraft) -> list[tuple[str, str]]:
        interview = draft.interview
        rows = [(f"q{q.pk}", q.text) for q in interview.topic_guide.questions.all()]
        rows.append(("free", "Anything else"))
        return rows

    def lock(self, draft: NotesDraft) -> None:
        Participant.objects.select_for_update(of=("self",)).filter(interviews__notes__pk=draft.pk).first()

    def refusal(self, interview: Interview, step: str) -> str | None:
        if interview.participant.withdrawn_at is not None:
            if step == "submit":
                return "The participant has withdrawn, so these notes cannot be submitted."
            return "The participant has withdrawn. These notes cannot be released."
        if step == "release" and not _notes_may_be_kept(interview.participant):
            return "The participant's consent does not cover keeping notes. These notes cannot be released."
        return None

    def document_fields(self, interview: Interview) -> dict:
        local_start = timezone.localtime(interview.starts_at, interview.project.tzinfo)
        month = local_start.date().replace(day=1)
        return {
            "project": interview.project,
            "participant": interview.participant,
            "source": Document.Source.INTERVIEW,
            "title": f"{interview.participant.code}, {month:%B %Y}",
            "cohort": interview.participant.cohort,
            "month": month,
        }

    def follow_up(self, interview: Interview) -> None:
        sync_interview_reminders(interview)

    def review_subjects(self, drafts: list[NotesDraft]):
        return Interview.objects.filter(notes__in=drafts).select_related("participant", "project")

    def review_label(self, interview: Interview) -> str:
        return f"{interview.participant.code}, {interview.participant.cohort}"


NOTES_OWNER = InterviewNotes()
register_owner(NOTES_OWNER)


def start_draft(interview: Interview, **fields) -> NotesDraft:
    """A draft for the interview, written by its interviewer, linked to it."""
    return NOTES_OWNER.start_draft(interview, author=interview.interviewer, **fields)


@transaction.atomic
def open_draft(interview: Interview, *, by: User) -> NotesDraft:
    """The interviewer's draft for a completed interview, created on first opening."""
    if interview.status != Interview.Status.COMPLETED:
        raise gate.NotesRefused("Notes can be written once the interview is marked completed.")
    if interview.notes_released_at is not None:
        raise gate.NotesRefused("These notes were released into the corpus.")
    if interview.participant.withdrawn_at is not None:
        raise gate.NotesRefused("The participant has withdrawn, so no notes are kept for this interview.")
    consent = interview.participant.current_consent
    if consent is None or not consent.notes_kept:
        raise gate.NotesRefused("The participant did not agree to notes being kept, so none can be written.")
    # Locked, so two first openings at once make one draft.
    interview = Interview.objects.select_for_update(of=("self",)).get(pk=interview.pk)
    return interview.notes or start_draft(interview)


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


# ---------------------------------------------------------------- the distress protocol

FOLLOW_UP_REMINDER_AT = time(9, 0)  # project time, on the day of the agreed call
FOLLOW_UP_MAX_DAYS = 90


class ProtocolRefused(Exception):
    """`problems`: {field or None: [plain-English reasons]}; nothing was saved."""

    def __init__(self, problems: dict[str | None, list[str]]):
        self.problems = problems
        super().__init__("; ".join(p for ps in problems.values() for p in ps))


def protocol_problems(interview: Interview, by: User) -> list[str]:
    """Why the protocol's use cannot be recorded on this interview now (empty if it can)."""
    if interview.interviewer_id != by.pk:
        return ["Only the interviewer records that the protocol was used."]
    if interview.status in (Interview.Status.CANCELLED, Interview.Status.NO_SHOW):
        return ["The interview did not take place, so the protocol cannot have been used."]
    if interview.starts_at > timezone.now():
        return ["The interview has not started yet. Record the protocol's use once it has."]
    return []


def follow_up_reminders(use: ProtocolUse) -> list[outbox.Reminder]:
    """A call agreed and not done: one message to the interviewer at 09:00 on the day, worded
    neutrally ("You have a call to make today"). Done, or agreed for today after 09:00 (the
    interviewer is recording it then; the dashboard lists it): nothing."""
    if use.follow_up_on is None or use.follow_up_done_at is not None:
        return []
    due_at = datetime.combine(use.follow_up_on, FOLLOW_UP_REMINDER_AT, tzinfo=use.interview.project.tzinfo)
    return [outbox.Reminder("call-reminder", due_at.astimezone(UTC), "follow-up-call", user=use.interview.interviewer)]


def sync_follow_up_reminders(use: ProtocolUse) -> None:
    outbox.sync_reminders(use, use.interview.project, follow_up_reminders(use))


@transaction.atomic
def record_protocol_use(
    interview: Interview,
    *,
    by: User,
    stage_reached: ProtocolStep,
    interview_ended: bool,
    offered: list[str],
    services: list[SupportService],
    follow_up_on: date | None,
) -> ProtocolUse:
    """Steps: check who and when (all problems at once, nothing saved); save the record and
    the services offered; write the follow-up reminder; audit; after commit, tell listeners
    (wellbeing offers the interviewer a debrief)."""
    problems: dict[str | None, list[str]] = {}
    if found := protocol_problems(interview, by):
        problems[None] = found
    if stage_reached.project_id != interview.project_id:
        problems["stage_reached"] = ["Choose a step of this project's protocol."]
    if any(service.project_id != interview.project_id for service in services):
        problems["services"] = ["Choose services from this project's directory."]
    unknown = set(offered) - set(ProtocolUse.Offer.values)
    if unknown:
        problems["offered"] = ["Choose what was offered from the list."]
    if follow_up_on is not None:
        today = timezone.localdate(timezone.now(), interview.project.tzinfo)
        if follow_up_on < today:
            problems["follow_up_on"] = ["The call cannot be in the past. Enter today or a later date."]
        elif follow_up_on > today + timedelta(days=FOLLOW_UP_MAX_DAYS):
            problems["follow_up_on"] = [f"Enter a date within {FOLLOW_UP_MAX_DAYS} days."]
    if problems:
        raise ProtocolRefused(problems)
    use = ProtocolUse.objects.create(
        interview=interview,
        recorded_by=by,
        stage_reached=stage_reached,
        interview_ended=interview_ended,
        offered=[value for value in ProtocolUse.Offer.values if value in offered],
        follow_up_on=follow_up_on,
    )
    use.services.set(services)
    sync_follow_up_reminders(use)
    record(by, "protocol.used", use, project=interview.project)
    transaction.on_commit(lambda: protocol_used.send(sender=ProtocolUse, protocol_use=use, interview=interview))
    return use


@transaction.atomic
def mark_follow_up_done(use: ProtocolUse, *, by: User) -> ProtocolUse:
    """The interviewer made the call: it leaves the dashboards and its reminder is cancelled."""
    locked = ProtocolUse.objects.select_for_update().select_related("interview__project", "interview__interviewer").get(pk=use.pk)
    if locked.follow_up_done_at is None:
        locked.follow_up_done_at = timezone.now()
        locked.follow_up_done_by = by
        locked.save(update_fields=["follow_up_done_at", "follow_up_done_by"])
        sync_follow_up_reminders(locked)
        record(by, "protocol.follow_up_done", locked, project=locked.interview.project)
    return locked


def erase_participant_protocol_uses(participant: Participant) -> dict[str, int]:
    """Registered with coproduction.erasure: on withdrawal the records go, with their reminders."""
    uses = list(ProtocolUse.objects.filter(interview__participant=participant))
    for use in uses:
        outbox.cancel_reminders(use)
    ProtocolUse.objects.filter(pk__in=[use.pk for use in uses]).delete()
    return {"records of the distress protocol": len(uses)}


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
