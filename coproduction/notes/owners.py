"""What an owner of notes (an interview, an event) gives the gate, registered by kind.

The gate calls an owner to learn a draft's sections and Document fields, to check that the
notes may still be kept, and to say what follows a submit, a send-back or a release
(reminders, linking the Document). Owners register at app start-up (`AppConfig.ready`).
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from coproduction.models import Document, NotesDraft


@dataclass(frozen=True)
class ReviewItem:
    """One row of the review list: what the notes are of, for the coordinator, and where to
    review them."""

    kind: str
    label: str
    url: str


class NotesOwner:
    """The owner protocol. `subject` is the owner's own object (an Interview, an Event), with
    `project`, `notes` (its draft), `document` and `notes_released_at` fields."""

    kind: str = ""
    label: str = ""  # what the review list calls these notes, e.g. "Interview"

    def subject(self, draft: NotesDraft) -> Any:
        raise NotImplementedError

    def sections(self, draft: NotesDraft) -> list[tuple[str, str]]:
        """(key, heading) in order, the free section last."""
        raise NotImplementedError

    def lock(self, draft: NotesDraft) -> None:
        """Lock what must be locked before the draft (in the order erasure locks it)."""

    def refusal(self, subject: Any, step: str) -> str | None:
        """Why the notes may not go through `step` ("submit", "release") now, or None."""
        return None

    def document_fields(self, subject: Any) -> dict:
        """The Document's fields other than its text: project, source, title, month, cohort..."""
        raise NotImplementedError

    def follow_up(self, subject: Any) -> None:
        """Bring what follows the notes (reminders) in step; called after each step."""

    review_url_name: str = ""  # the coordinator's review page, routed with slug and pk

    def review_subjects(self, drafts: list[NotesDraft]):
        """The subjects of these drafts, in one query, with what `review_label` reads."""
        raise NotImplementedError

    def review_label(self, subject: Any) -> str:
        """What the review list calls the subject's notes (a participant code, an event's title)."""
        raise NotImplementedError

    def review_items(self, drafts: list[NotesDraft]) -> dict[int, ReviewItem]:
        """The review list's row for each of these drafts (of this owner), by draft id."""
        return {
            subject.notes_id: ReviewItem(
                self.label,
                self.review_label(subject),
                reverse(self.review_url_name, kwargs={"slug": subject.project.slug, "pk": subject.pk}),
            )
            for subject in self.review_subjects(drafts)
        }

    def start_draft(self, subject: Any, *, author, **fields) -> NotesDraft:
        """A new draft of the subject's notes, linked to it in the same transaction."""
        draft = NotesDraft.objects.create(project=subject.project, owner_kind=self.kind, author=author, **fields)
        subject.notes = draft
        subject.save(update_fields=["notes"])
        return draft

    def after_submit(self, subject: Any) -> None:
        """Called in the submit's transaction."""
        self.follow_up(subject)

    def after_send_back(self, subject: Any) -> None:
        """Called in the send-back's transaction."""
        self.follow_up(subject)

    def after_release(self, subject: Any, document: Document) -> None:
        """Called in the release's transaction, after the draft is kept or deleted."""
        subject.document = document
        subject.notes_released_at = timezone.now()
        subject.save(update_fields=["document", "notes_released_at"])
        self.follow_up(subject)


_owners: dict[str, NotesOwner] = {}


def register_owner(owner: NotesOwner) -> None:
    _owners[owner.kind] = owner


def owner_of(draft: NotesDraft) -> NotesOwner:
    try:
        return _owners[draft.owner_kind]
    except KeyError:
        raise LookupError(f"No notes owner is registered for kind {draft.owner_kind!r}.") from None


def owners() -> list[NotesOwner]:
    return list(_owners.values())


def review_items(drafts: list[NotesDraft]) -> dict[int, ReviewItem]:
    """The review list's rows for drafts of any owner, asking each owner once."""
    items: dict[int, ReviewItem] = {}
    for kind, owner in _owners.items():
        mine = [draft for draft in drafts if draft.owner_kind == kind]
        if mine:
            items.update(owner.review_items(mine))
    return items
