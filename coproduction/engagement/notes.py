"""Events as an owner of notes: event notes pass the same anonymisation gate as interview notes.

The note-taker writes them (or, when the event has none, the facilitator who opens them first);
coordinators review and release them into a Document with `source=event`, the event's month,
the cohorts of the room, no participant and a title naming nobody (`Event.document_fields`).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from coproduction.models import Event, NotesDraft, User
from coproduction.notes import actions as gate
from coproduction.notes.owners import NotesOwner, register_owner
from coproduction.notifications import outbox

OWNER_KIND = "event"
NOTES_DUE_AFTER = timedelta(hours=48)


def notes_writers(event: Event) -> list[User]:
    """Who is asked for the notes: the note-taker, else the facilitators."""
    return [event.note_taker] if event.note_taker_id else list(event.facilitators.all())


def may_write_notes(event: Event, user: User) -> bool:
    return event.note_taker_id == user.pk if event.note_taker_id else event.facilitators.filter(pk=user.pk).exists()


def notes_reminders(event: Event) -> list[outbox.Reminder]:
    """A held event whose notes are not released: notes overdue 48 h after it ended or was
    recorded as held (or after the notes were sent back), to whoever writes them; none while the
    notes wait for review."""
    if event.status != Event.Status.HELD or event.notes_released_at is not None:
        return []
    draft = NotesDraft.objects.filter(event=event).first()
    if draft is not None and not draft.is_editable:
        return []
    # From the end, or from when it was recorded as held if that was later (a past due time
    # would be skipped by the outbox, and the notes would never be asked for).
    held = max(moment for moment in (event.ends_at, event.status_changed_at) if moment is not None)
    since = draft.sent_back_at if draft is not None and draft.sent_back_at else held
    return [
        outbox.Reminder("notes-overdue", since + NOTES_DUE_AFTER, "notes-48h", user=person) for person in notes_writers(event)
    ]


class EventNotes(NotesOwner):
    kind = OWNER_KIND
    label = "Event"
    review_url_name = "engagement:review"

    def subject(self, draft: NotesDraft) -> Event:
        return Event.objects.select_related("project").get(notes=draft)

    def sections(self, draft: NotesDraft) -> list[tuple[str, str]]:
        return draft.event.notes_sections()

    def refusal(self, event: Event, step: str) -> str | None:
        if event.status != Event.Status.HELD:
            return "Notes can be kept only for an event that was held."
        return None

    def document_fields(self, event: Event) -> dict:
        return event.document_fields()

    def follow_up(self, event: Event) -> None:
        from coproduction.engagement.actions import sync_event_reminders

        sync_event_reminders(event)

    def review_subjects(self, drafts: list[NotesDraft]):
        return Event.objects.filter(notes__in=drafts).select_related("project")

    def review_label(self, event: Event) -> str:
        return f"{event.title}, {date_format(timezone.localtime(event.starts_at, event.project.tzinfo), 'j F Y')}"


NOTES_OWNER = EventNotes()
register_owner(NOTES_OWNER)


@transaction.atomic
def open_event_draft(event: Event, *, by: User) -> NotesDraft:
    """The event's draft, created on first opening by the person who writes it."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.HELD:
        raise gate.NotesRefused("Notes can be written once the event is marked held.")
    if event.notes_released_at is not None:
        raise gate.NotesRefused("These notes were released into the corpus.")
    if event.notes_id is not None:
        return event.notes
    if not may_write_notes(event, by):
        raise gate.NotesRefused("The note-taker (or, without one, a facilitator) writes the notes of this event.")
    return start_event_draft(event, author=by)


def start_event_draft(event: Event, *, author: User, **fields) -> NotesDraft:
    return NOTES_OWNER.start_draft(event, author=author, **fields)
