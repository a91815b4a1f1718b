"""Follow-up notices: when a version is published, one neutral message to each person who asked
for updates ("There is an update from a project you took part in: <link>"), through the outbox.

Once per version and person: a notice's idempotency key is the version's id and the contact's,
and the outbox's unique key makes a second call (or two at once) create nothing new. A person
whose details were kept twice (a participant who also asked on the request form) is one
person: their details are compared and the earliest set gets the notice.

The row carries ids only: the link is built at delivery time from the version's publication
(coproduction.notifications.delivery), and the text names no topic.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from coproduction.encryption import CannotOpen
from coproduction.models import Consent, FollowUpContact, Notification, Project, PublishedVersion
from coproduction.notifications.delivery import FOLLOW_UP_TEMPLATE
from coproduction.notifications.outbox import about_label
from coproduction.publication.follow_up import follow_up_allowed


def notice_key(version: PublishedVersion, contact: FollowUpContact) -> str:
    return f"follow-up:v{version.pk}:c{contact.pk}"


def channel_for(contact: FollowUpContact) -> str | None:
    """Email if there is an address (through Notify when it is configured), else a text message.

    One channel: one notice per person. Details no key opens get email, which then fails
    visibly ("Undelivered messages") rather than being skipped without a trace.
    """
    try:
        email, phone = contact.email, contact.phone
    except CannotOpen:
        email, phone = "unopened", None
    if email:
        notify = settings.NOTIFY_API_KEY and settings.NOTIFY_EMAIL_TEMPLATE_ID
        return Notification.Channel.NOTIFY_EMAIL if notify else Notification.Channel.EMAIL
    if phone:
        return Notification.Channel.SMS
    return None


def _person(contact: FollowUpContact) -> str:
    """What makes two sets of details one person: the same address or number."""
    try:
        email, phone = contact.email, contact.phone
    except CannotOpen:
        return f"unopened:{contact.pk}"
    return f"email:{email.casefold()}" if email else f"phone:{phone}"


def _may_receive(contact: FollowUpContact) -> bool:
    participant = contact.participant
    if participant is None:
        return True  # a resident who asked on the request form
    consents = participant.current_consents  # prefetched, newest first
    return bool(consents) and follow_up_allowed(participant, consents[0])


def schedule_follow_up_notices(version: PublishedVersion) -> int:
    """Queue one notice per person for this version, due now; return how many were created.

    Called by the publishing workflow inside its transaction. Steps: stop if the version is
    unpublished or the project's follow-up has ended; lock the project's live contacts (so
    the end-date sweeper waits for this transaction and then sees the new notices); keep
    those whose participant still consents to follow-up; one per person; create each
    notice in its own savepoint, so a notice created meanwhile by another call is skipped.
    """
    publication = version.publication
    project = Project.objects.get(pk=publication.project_id)  # its end date as it is now
    now = timezone.now()
    if version.unpublished_at is not None:
        return 0
    if project.follow_up_ends_on is not None and now.astimezone(project.tzinfo).date() > project.follow_up_ends_on:
        return 0
    current = Consent.objects.filter(withdrawn_at__isnull=True).order_by("-given_at")
    with transaction.atomic():
        contacts = (
            FollowUpContact.objects.select_for_update(of=("self",))
            .live()
            .filter(project=project)
            .select_related("participant")
            .prefetch_related(Prefetch("participant__consents", queryset=current, to_attr="current_consents"))
            .order_by("pk")
        )
        people: dict[str, FollowUpContact] = {}
        for contact in contacts:
            if _may_receive(contact):
                people.setdefault(_person(contact), contact)
        label, pk = about_label(version)
        created = 0
        for contact in people.values():
            channel = channel_for(contact)
            if channel is None:
                continue
            try:
                with transaction.atomic():
                    Notification.objects.create(
                        project=project,
                        recipient_follow_up=contact,
                        channel=channel,
                        template=FOLLOW_UP_TEMPLATE,
                        due_at=now,
                        idempotency_key=notice_key(version, contact),
                        about_type=label,
                        about_id=pk,
                    )
            except IntegrityError:
                continue  # already scheduled: once only
            created += 1
    return created
