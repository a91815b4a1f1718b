"""Contact details kept for follow-up notices: recording them, and every way they are erased.

Recorded two ways: by a coordinator on the participant's page, only while the participant's
current consent says "may be contacted for follow-up"; and by a resident who ticks "Tell me when
there is an update" on the public request form (coproduction.engagement.actions). Erased:

- on the participant's withdrawal (an eraser, registered from CoproductionConfig.ready);
- when a new consent no longer allows follow-up (participation.actions.record_consent);
- when the person asks the team to stop (`stop_updates`, the "Stop updates" page);
- on the project's `follow_up_ends_on` date, by `erase_ended_follow_up_contacts` (beat and
  `manage.py erase_follow_up_contacts`), never while a notice to them is still to be sent.

Erasing never reads what it erases, so details no key opens can still be erased. Audit rows
name the contact's id, never an address.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from coproduction.audit import record
from coproduction.encryption import CannotOpen
from coproduction.models import FollowUpContact, Notification, Participant, Project, User

UNSENT = [Notification.Status.PENDING, Notification.Status.SENDING]
ERASED_LABEL = "contact details kept for updates"  # as the coordinator sees it after a withdrawal


class FollowUpRefused(Exception):
    """The details may not be kept (the consent does not allow it)."""


def follow_up_allowed(participant: Participant, consent=None) -> bool:
    """The participant takes part and their current consent says "may be contacted for follow-up"."""
    if participant.withdrawn_at is not None:
        return False
    consent = consent if consent is not None else participant.current_consent
    return bool(consent is not None and consent.is_current and consent.follow_up)


def current_contact(participant: Participant) -> FollowUpContact | None:
    return FollowUpContact.objects.live().filter(participant=participant).first()


@transaction.atomic
def record_follow_up_contact(*, participant: Participant, email: str, phone: str, by: User) -> FollowUpContact:
    """Keep (or replace) the participant's details for updates. Refused unless their current
    consent allows follow-up."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not follow_up_allowed(participant):
        raise FollowUpRefused(
            f"{participant.code}'s current consent does not allow contact for follow-up. "
            "Record a new consent first if they agree to it."
        )
    contact = FollowUpContact.objects.select_for_update().live().filter(participant=participant).first()
    if contact is None:
        contact = FollowUpContact(project=participant.project, participant=participant, source=FollowUpContact.Source.PARTICIPANT)
    contact.email = email or None
    contact.phone = phone or None
    contact.save()
    record(by, "follow_up_contact.recorded", contact)
    return contact


def _cancel_unsent(contacts) -> int:
    """Cancel the notices to these contacts not yet sent. A row being sent at this moment keeps
    its lock until it is marked sent, and this update then leaves it alone."""
    unsent = Notification.objects.filter(recipient_follow_up__in=contacts, status__in=UNSENT)
    return unsent.update(status=Notification.Status.CANCELLED, last_error="FollowUpContactErased")


def erase_contact(contact: FollowUpContact, *, by: User | None, now: datetime | None = None) -> None:
    """Erase now, whatever is still to be sent: the person asked, or withdrew."""
    _cancel_unsent([contact])
    contact.erase(now)
    record(by, "follow_up_contact.erased", contact)


def erase_participant_follow_up_contacts(participant: Participant) -> dict[str, int]:
    """The withdrawal eraser (coproduction.erasure): runs inside `withdraw_participant`'s
    transaction, which has locked the participant."""
    contacts = list(FollowUpContact.objects.select_for_update().live().filter(participant=participant))
    for contact in contacts:
        erase_contact(contact, by=None)
    return {ERASED_LABEL: len(contacts)}


@transaction.atomic
def erase_participant_contact(participant: Participant, *, by: User) -> bool:
    """A coordinator removes the participant's details for updates; False if there were none."""
    contact = FollowUpContact.objects.select_for_update().live().filter(participant=participant).first()
    if contact is None:
        return False
    erase_contact(contact, by=by)
    return True


def _matches(contact: FollowUpContact, address: str) -> bool:
    try:
        email, phone = contact.email, contact.phone
    except CannotOpen:
        return False  # cannot be compared; erased by the end date or on withdrawal instead
    return (email or "").casefold() == address.casefold() or (phone or "") == address


@transaction.atomic
def stop_updates(*, project: Project, address: str, by: User) -> int:
    """Someone asked the team to stop the updates: erase every set of details of this project
    with this email address or phone number (E.164); return how many.

    The details are encrypted, so they are compared here, one project's contacts at a time.
    """
    contacts = FollowUpContact.objects.select_for_update().live().filter(project=project)
    matching = [contact for contact in contacts if _matches(contact, address)]
    for contact in matching:
        erase_contact(contact, by=by)
    return len(matching)


def _ended(project: Project, now: datetime) -> bool:
    ends_on = project.follow_up_ends_on
    return ends_on is not None and now.astimezone(project.tzinfo).date() >= ends_on


def erase_ended_follow_up_contacts(now: datetime | None = None) -> int:
    """Erase the details of projects whose follow-up end date has come (in the project's time
    zone), except those a notice is still waiting to be sent to; return how many.

    Run by beat and by `manage.py erase_follow_up_contacts`; idempotent. A held-back contact is
    erased by a later run, once its last notice was sent, failed or cancelled. Each contact is
    locked, then its notices are counted in a new statement: a publish that locked the contact
    to schedule a notice has committed by then, so that notice is seen and holds it back.
    """
    now = now or timezone.now()
    ended = [project.pk for project in Project.objects.filter(follow_up_ends_on__isnull=False) if _ended(project, now)]
    if not ended:
        return 0
    waiting = Notification.objects.filter(recipient_follow_up=OuterRef("pk"), status__in=UNSENT)
    candidates = FollowUpContact.objects.live().filter(project__in=ended).exclude(Exists(waiting))
    erased = 0
    for pk in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            contact = FollowUpContact.objects.select_for_update().live().filter(pk=pk).first()
            if contact is None or Notification.objects.filter(recipient_follow_up=contact, status__in=UNSENT).exists():
                continue
            contact.erase(now)
            record(None, "follow_up_contact.erased", contact)
            erased += 1
    return erased
