"""Participant, consent and deny-list workflows, each in one transaction and audited."""

from django.db import transaction
from django.utils import timezone

from coproduction.audit import record
from coproduction.erasure import run_erasers, run_notes_erasers
from coproduction.models import (
    AllowListTerm,
    AttributeDefinition,
    Consent,
    DenyListTerm,
    Document,
    Excerpt,
    InformationSheet,
    Notification,
    Participant,
    Project,
    User,
)
from coproduction.publication import follow_up


@transaction.atomic
def create_participant(*, project: Project, cohort: str, attributes: dict, by: User) -> Participant:
    participant = Participant.objects.create(
        project=project, cohort=cohort, attributes=attributes, code=Participant.next_code(project, cohort)
    )
    record(by, "participant.created", participant)
    return participant


@transaction.atomic
def record_consent(*, participant: Participant, sheet: InformationSheet, items: dict, by: User) -> tuple[Consent, dict[str, int]]:
    """A new consent replaces any earlier one (earlier rows stay, for the record).

    When it no longer lets notes be kept, the participant's notes go now, as on withdrawal:
    drafts, released Documents and so every excerpt, coding and quote. When it no longer allows
    follow-up, the contact details kept for updates go now too. Returns the consent and what
    was erased, as counts (empty when nothing was).
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.withdrawn_at is not None:
        raise ValueError("This participant has withdrawn; consent cannot be recorded again.")
    consent = Consent.objects.create(participant=participant, information_sheet=sheet, recorded_by=by, **items)
    record(by, "consent.recorded", consent, project=participant.project)
    erased: dict[str, int] = {}
    if not consent.notes_kept:
        erased = erase_notes(participant)
        if any(erased.values()):
            record(by, "consent.notes_erased", participant)
    if not consent.follow_up:
        for label, count in follow_up.erase_participant_follow_up_contacts(participant).items():
            if count:
                erased[label] = erased.get(label, 0) + count
    return consent, erased


def erase_notes(participant: Participant) -> dict[str, int]:
    """Delete every note of the participant's words: each app's drafts, then released Documents
    (excerpts, codings and quotes cascade; kept exports are deleted after commit)."""
    counts = run_notes_erasers(participant)
    documents = Document.objects.filter(participant=participant)
    counts["released documents"] = documents.count()
    counts["coded excerpts and quotes"] = Excerpt.objects.filter(document__participant=participant).count()
    documents.delete()
    return counts


@transaction.atomic
def set_contact_details(*, participant: Participant, email: str, phone: str, wants_reminders: bool, by: User) -> None:
    participant.contact_email = email or None
    participant.contact_phone = phone or None
    participant.wants_reminders = wants_reminders and bool(email or phone)
    participant.save(update_fields=["contact_email", "contact_phone", "wants_reminders"])
    record(by, "participant.contact_changed", participant)


@transaction.atomic
def publish_information_sheet(*, project: Project, text: str, by: User) -> InformationSheet:
    latest = InformationSheet.objects.select_for_update().filter(project=project).order_by("-version").first()
    sheet = InformationSheet.objects.create(project=project, version=(latest.version + 1) if latest else 1, text=text)
    record(by, "information_sheet.published", sheet)
    return sheet


@transaction.atomic
def add_list_term(model: type[DenyListTerm | AllowListTerm], *, project: Project, term: str, kind: str, by: User):
    """Add to the deny-list or the allow-list; the audit row names the list, never the term."""
    entry = model.objects.create(project=project, term=term, kind=kind, added_by=by)
    record(by, f"{_list_action(model)}.added", entry)
    return entry


@transaction.atomic
def remove_list_term(entry: DenyListTerm | AllowListTerm, *, by: User) -> None:
    record(by, f"{_list_action(type(entry))}.removed", entry)
    entry.delete()


def _list_action(model: type) -> str:
    return "allow_list" if model is AllowListTerm else "deny_list"


@transaction.atomic
def withdraw_participant(participant: Participant, *, by: User) -> dict[str, int]:
    """Withdraw consent and erase everything the participant's words are in.

    Steps: lock the participant; run each app's eraser (interviews: drafts, bookings); delete
    the participant's released Documents (excerpts, codings and quotes cascade with them, so
    future exports cannot contain them); cancel pending messages to the participant; erase
    contact details; mark consents and the participant withdrawn; write one audit row without
    content. Returns what was removed, as counts, for the coordinator.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.withdrawn_at is not None:
        raise ValueError("This participant has already withdrawn.")
    now = timezone.now()
    counts = run_erasers(participant)
    # Excerpts, their codings, memos and quotes cascade with the Documents; kept export files
    # of the project are deleted after commit by the analysis app (a Document left the corpus).
    for label, count in erase_notes(participant).items():
        counts[label] = counts.get(label, 0) + count
    counts["messages cancelled"] = (
        Notification.objects.pending().filter(recipient_participant=participant).update(status=Notification.Status.CANCELLED)
    )
    participant.erase_contact_details()
    participant.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    participant.withdrawn_at = now
    participant.save(update_fields=["withdrawn_at"])
    record(by, "participant.withdrawn", participant)
    return counts


@transaction.atomic
def add_attribute(*, project: Project, name: str, choices: list[str], by: User) -> AttributeDefinition:
    order = AttributeDefinition.objects.filter(project=project).count()
    definition = AttributeDefinition.objects.create(project=project, name=name, choices=choices, order=order)
    record(by, "attribute.added", definition)
    return definition


@transaction.atomic
def remove_attribute(definition: AttributeDefinition, *, by: User) -> None:
    """Stop asking for it; values already recorded on participants stay as they are."""
    record(by, "attribute.removed", definition)
    definition.delete()
