"""Follow-up contacts and published versions made directly from the models, for tests of
follow-up notices."""

from coproduction.models import Consent, FollowUpContact, Participant, Project, Publication, PublishedVersion, User
from tests.participation.factories import consenting_participant, information_sheet


def follow_up_participant(world, cohort: str = "Sex worker", *, follow_up: bool = True) -> Participant:
    """A participant whose current consent says "may be contacted for follow-up" (or not)."""
    participant = consenting_participant(world.project, world.coordinator, cohort)
    participant.consents.update(withdrawn_at=participant.created_at)
    give_consent(participant, world.coordinator, follow_up=follow_up)
    return participant


def give_consent(participant: Participant, by: User, *, follow_up: bool) -> Consent:
    return Consent.objects.create(
        participant=participant,
        information_sheet=information_sheet(participant.project),
        take_part=True,
        notes_kept=True,
        quotes_published=True,
        follow_up=follow_up,
        recorded_by=by,
    )


def participant_contact(world, email: str = "kit@example.org", phone: str | None = None, **kwargs) -> FollowUpContact:
    participant = follow_up_participant(world, **kwargs)
    return FollowUpContact.objects.create(
        project=participant.project,
        participant=participant,
        source=FollowUpContact.Source.PARTICIPANT,
        email=email,
        phone=phone,
    )


def resident_contact(project: Project, email: str | None = None, phone: str | None = None) -> FollowUpContact:
    return FollowUpContact.objects.create(
        project=project, source=FollowUpContact.Source.SESSION_REQUEST, email=email, phone=phone
    )


def published_version(project: Project, by: User, number: int | None = None) -> PublishedVersion:
    """A version made directly from the model (publishing itself is the lead's workflow)."""
    publication, _ = Publication.objects.get_or_create(project=project)
    if number is None:
        number = publication.versions.count() + 1
    return PublishedVersion.objects.create(
        publication=publication, number=number, published_by=by, snapshot={}, page_html="", case_study_html=""
    )
