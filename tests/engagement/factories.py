"""Engagement fixtures built straight in the database (past events cannot be planned)."""

from datetime import timedelta

from django.utils import timezone

from coproduction.models import (
    CohortAttendance,
    Event,
    EventFeedback,
    IndividualSessionRequest,
    Project,
    PublicListing,
    User,
    Venue,
)


def venue_for(project: Project, name: str = "Community hall") -> Venue:
    return Venue.objects.get_or_create(project=project, name=name)[0]


def make_event(
    project: Project,
    *,
    by: User,
    facilitators: list[User] = (),
    note_taker: User | None = None,
    status: str = Event.Status.PLANNED,
    starts_in: timedelta = timedelta(days=3),
    kind: str = Event.Kind.COMMUNITY_CONVERSATION,
    capacity: int | None = 20,
    title: str = "Community conversation",
    attendance: dict[str, int] | None = None,
) -> Event:
    event = Event.objects.create(
        project=project,
        title=title,
        kind=kind,
        starts_at=timezone.now() + starts_in,
        venue=venue_for(project),
        note_taker=note_taker,
        cohorts=["Resident"],
        capacity=capacity,
        status=status,
        created_by=by,
    )
    event.facilitators.set(facilitators or [by])
    for cohort, count in (attendance or {}).items():
        CohortAttendance.objects.create(event=event, cohort=cohort, count=count)
    return event


def held_event(world, **kwargs) -> Event:
    kwargs.setdefault("facilitators", [world.peer])
    return make_event(world.project, by=world.coordinator, status=Event.Status.HELD, starts_in=-timedelta(days=1), **kwargs)


def feedback_for(event: Event, by: User, *, yes=0, partly=0, no=0) -> EventFeedback:
    return EventFeedback.objects.create(event=event, listened_yes=yes, listened_partly=partly, listened_no=no, recorded_by=by)


def listing_for(project: Project) -> PublicListing:
    return PublicListing.objects.get_or_create(project=project)[0]


def session_request(project: Project, **kwargs) -> IndividualSessionRequest:
    kwargs.setdefault("name", "Jay")
    kwargs.setdefault("contact", "jay@example.org")
    kwargs.setdefault("preferred_time", "Evenings")
    return IndividualSessionRequest.objects.create(project=project, **kwargs)
