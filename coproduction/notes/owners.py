"""What an owner of notes (an interview, an event) gives the gate, registered by kind.

The gate calls an owner to learn a draft's sections and Document fields, to check that the
notes may still be kept, and to say what follows a submit, a send-back or a release
(reminders, linking the Document). Owners register at app start-up (`AppConfig.ready`).
"""

from typing import Any

from coproduction.models import Document, NotesDraft


class NotesOwner:
    """The owner protocol. `subject` is the owner's own object (an Interview, an Event)."""

    kind: str = ""

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

    def after_submit(self, subject: Any) -> None:
        """Called in the submit's transaction."""

    def after_send_back(self, subject: Any) -> None:
        """Called in the send-back's transaction."""

    def after_release(self, subject: Any, document: Document) -> None:
        """Called in the release's transaction, after the draft is kept or deleted."""


_owners: dict[str, NotesOwner] = {}


def register_owner(owner: NotesOwner) -> None:
    _owners[owner.kind] = owner


def owner_of(draft: NotesDraft) -> NotesOwner:
    try:
        return _owners[draft.owner_kind]
    except KeyError:
        raise LookupError(f"No notes owner is registered for kind {draft.owner_kind!r}.") from None
