"""One stored value for every encrypted field, with the page (and the person) that shows it.

`every_encrypted_value(world)` builds them; tests that must cover every encrypted field check
`covered_fields()` against the fields the app registry holds, so a new encrypted field fails
them until it is added here (with the page that shows it).
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from coproduction.encryption import encrypted_fields
from coproduction.models import (
    DenyListTerm,
    FollowUpContact,
    IndividualSessionRequest,
    NotesDraft,
    Notification,
    PiiResolution,
    User,
)
from interviews.models import SafeguardingFlag
from tests.factories import ParticipantFactory
from tests.interviews.factories import completed_interview, draft_for
from tests.publication.follow_up_factories import follow_up_participant
from tests.wellbeing.factories import provider, session
from wellbeing.models import CheckIn, Reflection, SupervisionNote


@dataclass
class StoredValue:
    model: type
    field: str
    pk: int
    text: str
    viewer: User | None
    url: str | None  # None: no page shows it (NOT_ON_A_PAGE says what guards it instead)

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def column(self) -> str:
        return self.model._meta.get_field(self.field).column

    def stored(self) -> str:
        """The token in the database, read without the field."""
        return read_column(self.model, self.column, self.pk)

    def store(self, token: str | None) -> None:
        """Write a token straight into the column, past the field (which would encrypt it again)."""
        write_column(self.model, self.column, self.pk, token)


def read_column(model, column: str, pk) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s", [pk]
        )
        return cursor.fetchone()[0]


def write_column(model, column: str, pk, value) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE {quote(model._meta.pk.column)} = %s",
            [value, pk],
        )


def every_encrypted_value(world) -> list[StoredValue]:
    slug = world.project.slug
    values: list[StoredValue] = []

    def add(instance, field: str, text: str, viewer, url: str) -> None:
        values.append(StoredValue(type(instance), field, instance.pk, text, viewer, url))

    peer, coordinator, supervisor = world.peer, world.coordinator, world.supervisor

    peer.phone_number = "+447700900982"
    peer.save(update_fields=["phone_number"])
    add(peer, "phone_number", "+447700900982", peer, reverse("account_settings"))

    participant = ParticipantFactory(
        project=world.project, contact_email="sam.contact@example.org", contact_phone="+447700900123", wants_reminders=True
    )
    contact_url = reverse("participation:detail", kwargs={"slug": slug, "pk": participant.pk})
    add(participant, "contact_email", "sam.contact@example.org", coordinator, contact_url)
    add(participant, "contact_phone", "+447700900123", coordinator, contact_url)

    term = DenyListTerm.objects.create(project=world.project, term="Marigold Yard", added_by=coordinator)
    add(term, "term", "Marigold Yard", coordinator, reverse("participation:deny_list", kwargs={"slug": slug}))

    interview = completed_interview(world)
    concern = SafeguardingFlag.objects.create(interview=interview, raised_by=peer, detail="Worried about the stairwell")
    detail_url = reverse("interviews:detail", kwargs={"slug": slug, "pk": interview.pk})
    add(concern, "detail", "Worried about the stairwell", coordinator, detail_url)

    draft = draft_for(interview, status=NotesDraft.Status.SENT_BACK, q1="The lamps by the towpath are out.")
    draft.review_comment = "Say more about the lamps."
    draft.save(update_fields=["review_comment"])
    notes_url = reverse("interviews:notes", kwargs={"slug": slug, "pk": interview.pk})
    add(draft, "content", "The lamps by the towpath are out.", peer, notes_url)
    add(draft, "review_comment", "Say more about the lamps.", peer, notes_url)
    resolution = PiiResolution.objects.create(
        draft=draft, section="free", finding_type="POSSIBLE_NAME", action="dismissed", reason="A landmark, not a name", by=peer
    )
    add(resolution, "reason", "A landmark, not a name", peer, notes_url)

    supervision = session(
        world.project,
        [peer],
        booked_by=coordinator,
        provider=provider(supervisor),
        starts_at=timezone.now() - timedelta(days=1),
        status="attended",
    )
    note = SupervisionNote.objects.create(session=supervision, author=supervisor, text="Talked about boundaries")
    notes_page = reverse("wellbeing:session_notes", kwargs={"slug": slug, "pk": supervision.pk})
    add(note, "text", "Talked about boundaries", supervisor, notes_page)

    check_in = CheckIn.objects.create(
        project=world.project, person=peer, completed_at=timezone.now(), score=6, private_note="A long week"
    )
    add(check_in, "private_note", "A long week", peer, reverse("wellbeing:check_in_list", kwargs={"slug": slug}))

    reflection = Reflection.objects.create(project=world.project, author=peer, text="I slept badly after the interview")
    add(reflection, "text", "I slept badly after the interview", peer, reverse("wellbeing:reflections", kwargs={"slug": slug}))

    sealed = {"to": "invitee@example.org", "subject": "You are invited", "text": "Join: /invite/secret-link", "html": ""}
    one_off = Notification.objects.create(
        project=world.project,
        recipient=coordinator,
        template="invitation",
        due_at=timezone.now(),
        idempotency_key="one-off:encrypted-records",
        sealed_message=json.dumps(sealed),
    )
    add(one_off, "sealed_message", "secret-link", None, None)

    request = IndividualSessionRequest.objects.create(
        project=world.project, name="Jay", contact="+447700900456", contact_is_phone=True, preferred_time="Tuesday evenings"
    )
    request_url = reverse("engagement:request", kwargs={"slug": slug, "pk": request.pk})
    add(request, "name", "Jay", coordinator, request_url)
    add(request, "contact", "+447700900456", coordinator, request_url)
    add(request, "preferred_time", "Tuesday evenings", coordinator, request_url)

    for_updates = follow_up_participant(world)
    kept = FollowUpContact.objects.create(
        project=world.project,
        participant=for_updates,
        source=FollowUpContact.Source.PARTICIPANT,
        email="kit.updates@example.org",
        phone="+447700900789",
    )
    updates_url = reverse("participation:detail", kwargs={"slug": slug, "pk": for_updates.pk})
    add(kept, "email", "kit.updates@example.org", coordinator, updates_url)
    add(kept, "phone", "+447700900789", coordinator, updates_url)

    from tests.analysis.import_factories import import_texts

    imported = import_texts(world.project, coordinator, ["Streets feel unsafe near Marigold Yard."]).sources.get()
    add(imported, "name", "Source 1", coordinator, reverse("analysis:imported_notes", kwargs={"slug": slug, "pk": imported.pk}))
    add(imported, "pending", "Streets feel unsafe near Marigold Yard.", None, None)

    from tests.vouchers.factories import batch

    voucher = batch(world.project, coordinator, codes=1, prefix="RECORD").vouchers.get()
    add(voucher, "code", "RECORD-COR-0001", None, None)
    return values


# Encrypted fields no page shows, and the test that proves they fail closed instead.
NOT_ON_A_PAGE = {
    "coproduction.ImportedSource.pending": "test_qdpx_import.py::test_pending_text_no_key_opens_releases_nothing",
    "coproduction.Notification.sealed_message": "test_delivery.py::test_a_sealed_message_no_key_opens_fails_unsent",
    # Shown only in the response to the audited "Show the code" POST, never on a page a GET opens.
    "coproduction.Voucher.code": "test_giving.py::test_a_code_no_key_opens_says_cannot_be_opened_and_reveals_nothing",
}


def covered_fields(values: list[StoredValue]) -> set[str]:
    return {value.label for value in values}


def registry_fields() -> set[str]:
    return {f"{field.model._meta.label}.{field.name}" for field in encrypted_fields()}
