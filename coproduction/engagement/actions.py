"""Engagement workflows: planning, moving, holding and cancelling events; attendance and
feedback counts; reach targets; the public listing and individual-session requests.

Each function runs in one transaction, audits what it did (never content) and keeps the
notification outbox in step with the event (`sync_event_reminders`).
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coproduction.audit import record
from coproduction.guides import publish_questions
from coproduction.models import (
    AttributeAttendance,
    AttributeDefinition,
    CohortAttendance,
    DiscussionGuide,
    Event,
    EventFeedback,
    FollowUpContact,
    IndividualSessionRequest,
    Project,
    PublicListing,
    ReachTarget,
    RequestAttempt,
    Role,
    User,
    Venue,
)
from coproduction.models.engagement import CAPACITY_SLACK, MAX_EVENT_MINUTES
from coproduction.notifications import outbox

# Reminders go out in the appointment templates: neutral wording and an .ics titled "Appointment".
REMINDER_SLOTS = [("24h-before", timedelta(hours=24)), ("2h-before", timedelta(hours=2))]
ATTEMPT_MEMORY = timedelta(days=1)


class EngagementRefused(Exception):
    """The change cannot be made; `problems` are plain-English reasons for the person making it."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class EventPlan:
    """What a coordinator chooses when planning or moving an event."""

    title: str
    kind: str
    starts_at: datetime
    duration_minutes: int
    venue: Venue
    facilitators: list[User]
    note_taker: User | None
    cohorts: list[str]
    capacity: int | None = None
    step_free: bool = False
    interpreter: bool = False
    creche: bool = False
    accessibility_notes: str = ""
    ground_rules_allow_quotes: bool = False


# ---------------------------------------------------------------- reminders


def event_reminders(event: Event) -> list[outbox.Reminder]:
    """A planned event: 24 h and 2 h before, to each facilitator and the note-taker. A held
    event: notes overdue 48 h after, until they are submitted (`coproduction.engagement.notes`)."""
    if event.status == Event.Status.HELD:
        from coproduction.engagement.notes import notes_reminders

        return notes_reminders(event)
    if event.status != Event.Status.PLANNED:
        return []
    starts_at = event.starts_at.astimezone(UTC)  # absolute hours: a clock change does not shift them
    times = {"starts_at": starts_at, "ends_at": event.ends_at}
    return [
        outbox.Reminder("appointment-reminder", starts_at - before, slot, user=person, **times)
        for slot, before in REMINDER_SLOTS
        for person in event.people_to_remind()
    ]


def sync_event_reminders(event: Event) -> None:
    outbox.sync_reminders(event, event.project, event_reminders(event))


# ---------------------------------------------------------------- planning


def plan_problems(project: Project, plan: EventPlan, *, held: bool) -> list[str]:
    problems = []
    now = timezone.now()
    if held and plan.starts_at > now:
        problems.append("An event that has already happened must have a start time in the past.")
    if not held and plan.starts_at <= now:
        problems.append("The start time is in the past. Choose a time from now on, or record the event as already held.")
    if not 1 <= plan.duration_minutes <= MAX_EVENT_MINUTES:
        problems.append(f"The duration must be between 1 and {MAX_EVENT_MINUTES} minutes.")
    if plan.venue.project_id != project.pk:
        problems.append("Choose a venue from this project.")
    elif not plan.venue.active and not held:
        problems.append(f"{plan.venue.name} is no longer in use. Choose another venue.")
    unknown = set(plan.cohorts) - set(project.cohorts)
    if not plan.cohorts or unknown:
        problems.append("Choose at least one of the project's cohorts.")
    if not plan.facilitators:
        problems.append("Choose at least one facilitator.")
    people = [*plan.facilitators, *([plan.note_taker] if plan.note_taker else [])]
    members = set(project.memberships.filter(user__in=people, user__is_active=True).values_list("user_id", flat=True))
    if any(person.pk not in members for person in people):
        problems.append("Facilitators and the note-taker must be members of this project.")
    if plan.capacity is not None and plan.capacity < 1:
        problems.append("The capacity must be at least 1, or left empty.")
    return problems


def _apply(event: Event, plan: EventPlan) -> None:
    for name in [
        "title",
        "kind",
        "starts_at",
        "duration_minutes",
        "venue",
        "note_taker",
        "cohorts",
        "capacity",
        "step_free",
        "interpreter",
        "creche",
        "accessibility_notes",
        "ground_rules_allow_quotes",
    ]:
        setattr(event, name, getattr(plan, name))


@transaction.atomic
def plan_event(*, project: Project, plan: EventPlan, by: User, held: bool = False) -> Event:
    """Plan an event (start from now on), or record one that has already been held (start in the
    past). The latest discussion guide, if there is one, goes with it."""
    problems = plan_problems(project, plan, held=held)
    if problems:
        raise EngagementRefused(problems)
    event = Event(project=project, created_by=by)
    _apply(event, plan)
    event.discussion_guide = DiscussionGuide.objects.filter(project=project).order_by("-version").first()
    if held:
        event.status, event.status_changed_at = Event.Status.HELD, timezone.now()
    event.save()
    event.facilitators.set(plan.facilitators)
    record(by, "event.held_recorded" if held else "event.planned", event)
    sync_event_reminders(event)
    return event


def _lock(event: Event) -> Event:
    # Not the note-taker: PostgreSQL cannot lock the nullable side of an outer join.
    return Event.objects.select_for_update().select_related("project", "venue").get(pk=event.pk)


@transaction.atomic
def change_event(event: Event, *, plan: EventPlan, by: User) -> Event:
    """Change a planned event. The reminders follow the new time and people. When the time or
    place changes, those still on the event are told it moved; anyone taken off is told it is
    cancelled for them; anyone added gets the usual reminders."""
    event = _lock(event)
    if event.status != Event.Status.PLANNED:
        raise EngagementRefused(["Only a planned event can be changed."])
    problems = plan_problems(event.project, plan, held=False)
    if problems:
        raise EngagementRefused(problems)
    before = (event.starts_at, event.duration_minutes, event.venue_id)
    times_before = (event.starts_at, event.ends_at)
    people_before = set(event.people_to_remind())
    _apply(event, plan)
    event.save()
    event.facilitators.set(plan.facilitators)
    record(by, "event.changed", event)
    sync_event_reminders(event)
    stamp = f"{event.starts_at:%Y%m%dT%H%M}-{event.venue_id}"
    # Someone taken off the event is told it is off for them (at the time they knew of).
    taken_off = people_before - set(event.people_to_remind())
    if taken_off:
        outbox.notify_now(
            template="appointment-cancelled",
            about=event,
            key=f"taken-off-{stamp}",
            project=event.project,
            users=taken_off,
            starts_at=times_before[0],
            ends_at=times_before[1],
        )
    if before != (event.starts_at, event.duration_minutes, event.venue_id):
        outbox.notify_now(
            template="appointment-moved",
            about=event,
            key=f"moved-{stamp}",
            project=event.project,
            users=people_before & set(event.people_to_remind()),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
        )
    return event


def _planned(event: Event) -> Event:
    """The event, locked, if it is still planned; refused otherwise."""
    event = _lock(event)
    if event.status != Event.Status.PLANNED:
        raise EngagementRefused([f"This event is already {event.get_status_display().lower()}."])
    return event


def _set_status(event: Event, status: str, *, by: User) -> Event:
    event.status, event.status_changed_at = status, timezone.now()
    event.save(update_fields=["status", "status_changed_at"])
    record(by, f"event.{status}", event)
    sync_event_reminders(event)
    return event


@transaction.atomic
def mark_held(event: Event, *, by: User) -> Event:
    event = _planned(event)
    if event.starts_at > timezone.now():
        raise EngagementRefused(["This event has not started yet. Cancel it instead, or wait until it has started."])
    return _set_status(event, Event.Status.HELD, by=by)


@transaction.atomic
def cancel_event(event: Event, *, by: User) -> Event:
    event = _set_status(_planned(event), Event.Status.CANCELLED, by=by)
    if event.starts_at > timezone.now():
        outbox.notify_now(
            template="appointment-cancelled",
            about=event,
            key="cancelled",
            project=event.project,
            users=event.people_to_remind(),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
        )
    return event


@transaction.atomic
def publish_discussion_guide(*, project: Project, questions: list[str], by: User) -> DiscussionGuide:
    """A new version; events already planned keep the version they were planned with."""
    guide = publish_questions(DiscussionGuide, project=project, questions=questions)
    record(by, "discussion_guide.published", guide)
    return guide


# ---------------------------------------------------------------- attendance and feedback


def attendance_problems(event: Event, cohort_counts: dict[str, int], attribute_counts: dict[tuple[int, str], int]) -> list[str]:
    problems = []
    if event.status != Event.Status.HELD:
        problems.append("Attendance is recorded once the event has been held.")
    if any(count < 0 for count in [*cohort_counts.values(), *attribute_counts.values()]):
        problems.append("Counts cannot be negative.")
    if set(cohort_counts) - set(event.project.cohorts):
        problems.append("Count only the project's cohorts.")
    total = sum(cohort_counts.values())
    if event.is_individual and total != 1:
        problems.append("An individual session is one person: enter 1 in the cohort of the person who came.")
    limit = event.attendance_limit
    if limit is not None and total > limit:
        problems.append(f"{total} people is more than {CAPACITY_SLACK} times the capacity of {event.capacity}. Check the counts.")
    by_attribute: dict[int, int] = {}
    for (attribute_id, _), count in attribute_counts.items():
        by_attribute[attribute_id] = by_attribute.get(attribute_id, 0) + count
    names = dict(AttributeDefinition.objects.filter(project=event.project).values_list("pk", "name"))
    for attribute_id, count in by_attribute.items():
        if attribute_id not in names:
            problems.append("Count only the project's attributes.")
        elif count > total:
            problems.append(f"The {names[attribute_id]} counts add up to {count}, more than the {total} people who came.")
    return problems


@transaction.atomic
def record_attendance(
    event: Event, *, cohort_counts: dict[str, int], attribute_counts: dict[tuple[int, str], int], by: User
) -> Event:
    """Replace the event's attendance counts (all or nothing). Zero counts are not stored."""
    event = _lock(event)
    problems = attendance_problems(event, cohort_counts, attribute_counts)
    if problems:
        raise EngagementRefused(problems)
    event.cohort_attendance.all().delete()
    event.attribute_attendance.all().delete()
    CohortAttendance.objects.bulk_create(
        CohortAttendance(event=event, cohort=cohort, count=count) for cohort, count in cohort_counts.items() if count
    )
    AttributeAttendance.objects.bulk_create(
        AttributeAttendance(event=event, attribute_id=attribute_id, choice=choice, count=count)
        for (attribute_id, choice), count in attribute_counts.items()
        if count
    )
    record(by, "event.attendance_recorded", event)
    return event


FEEDBACK_FIELDS = ["listened_yes", "listened_partly", "listened_no", "again_yes", "again_maybe", "again_no"]


@transaction.atomic
def record_feedback(event: Event, *, counts: dict[str, int], by: User) -> EventFeedback:
    """Set the feedback counts from the paper cards; no more cards than people who came."""
    event = _lock(event)
    problems = []
    if event.status != Event.Status.HELD:
        problems.append("Feedback is recorded once the event has been held.")
    if any(counts.get(name, 0) < 0 for name in FEEDBACK_FIELDS):
        problems.append("Counts cannot be negative.")
    came = sum(event.cohort_attendance.values_list("count", flat=True))
    for question, fields in [("Did you feel listened to?", FEEDBACK_FIELDS[:3]), ("Would you come again?", FEEDBACK_FIELDS[3:])]:
        answered = sum(counts.get(name, 0) for name in fields)
        if came and answered > came:
            problems.append(f"{answered} answers to “{question}” is more than the {came} people who came.")
    if problems:
        raise EngagementRefused(problems)
    feedback, _ = EventFeedback.objects.update_or_create(
        event=event,
        defaults={**{name: counts.get(name, 0) for name in FEEDBACK_FIELDS}, "recorded_by": by, "recorded_at": timezone.now()},
    )
    record(by, "event.feedback_recorded", event)
    return feedback


# ---------------------------------------------------------------- targets


@transaction.atomic
def set_reach_targets(*, project: Project, targets: dict[str, int | None], by: User) -> None:
    """One target per cohort; an empty target removes it."""
    for cohort, target in targets.items():
        if cohort not in project.cohorts:
            continue
        if target is None:
            ReachTarget.objects.filter(project=project, cohort=cohort).delete()
        else:
            ReachTarget.objects.update_or_create(project=project, cohort=cohort, defaults={"target": target})
    record(by, "reach.targets_set", project)


# ---------------------------------------------------------------- the public listing and requests


@transaction.atomic
def open_public_listing(*, project: Project, by: User, new_address: bool = False) -> PublicListing:
    """Turn the public page on; a new address makes the old one stop working at once."""
    listing, created = PublicListing.objects.select_for_update().get_or_create(project=project)
    if new_address and not created:
        listing.token = PublicListing._meta.get_field("token").get_default()
    listing.active = True
    listing.save()
    record(by, "public_listing.new_address" if new_address else "public_listing.opened", listing, project=project)
    return listing


@transaction.atomic
def close_public_listing(listing: PublicListing, *, by: User) -> None:
    listing.active = False
    listing.save(update_fields=["active"])
    record(by, "public_listing.closed", listing, project=listing.project)


def address_hash(address: str) -> str:
    """A keyed hash: the table of attempts cannot be turned back into addresses."""
    return hmac.new(settings.SECRET_KEY.encode(), f"request-attempt:{address}".encode(), hashlib.sha256).hexdigest()


def note_attempt(address: str, now: datetime | None = None) -> bool:
    """Count one use of a request form from `address`; False when the address is over the limit
    (ENGAGEMENT_REQUESTS_PER_HOUR) and must be refused."""
    now = now or timezone.now()
    key = address_hash(address)
    with transaction.atomic():
        recent = RequestAttempt.objects.filter(address_hash=key, at__gt=now - timedelta(hours=1)).count()
        RequestAttempt.objects.create(address_hash=key, at=now)
    return recent < settings.ENGAGEMENT_REQUESTS_PER_HOUR


@transaction.atomic
def request_individual_session(
    *, project: Project, name: str, contact: str, contact_is_phone: bool, preferred_time: str, wants_updates: bool = False
) -> IndividualSessionRequest:
    """Store the request and tell the coordinators that one is waiting (the message says no more).

    With `wants_updates`, the contact is also kept for follow-up notices, as its own record: the
    request is erased 30 days after it is closed, the details for updates at the project's
    follow-up end date (coproduction.publication.follow_up).
    """
    request = IndividualSessionRequest.objects.create(
        project=project, name=name or None, contact=contact, contact_is_phone=contact_is_phone, preferred_time=preferred_time
    )
    record(None, "session_request.received", request)
    if wants_updates:
        details = {"phone": contact} if contact_is_phone else {"email": contact}
        follow_up = FollowUpContact.objects.create(project=project, source=FollowUpContact.Source.SESSION_REQUEST, **details)
        record(None, "follow_up_contact.recorded", follow_up)
    outbox.notify_now(template="session-request", about=request, key="received", project=project, users=project.coordinators)
    return request


@transaction.atomic
def close_session_request(session_request: IndividualSessionRequest, *, by: User) -> IndividualSessionRequest:
    """Closed requests are erased REQUEST_RETENTION later by `erase_closed_session_requests`."""
    session_request = IndividualSessionRequest.objects.select_for_update().get(pk=session_request.pk)
    if session_request.status == IndividualSessionRequest.Status.OPEN:
        session_request.status = IndividualSessionRequest.Status.CLOSED
        session_request.closed_at, session_request.closed_by = timezone.now(), by
        session_request.save(update_fields=["status", "closed_at", "closed_by"])
        record(by, "session_request.closed", session_request)
    return session_request


def erase_closed_session_requests(now: datetime | None = None) -> int:
    """Erase the personal details of requests closed REQUEST_RETENTION ago; return how many.

    Run by beat and by `manage.py erase_session_requests`; idempotent. Also forgets request-form
    attempts older than a day (the rate limit needs only the last hour).
    """
    now = now or timezone.now()
    erased = 0
    for pk in IndividualSessionRequest.objects.erasable(now).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            locked = IndividualSessionRequest.objects.select_for_update().erasable(now).filter(pk=pk).first()
            if locked is not None:
                locked.erase(now)
                record(None, "session_request.erased", locked)
                erased += 1
    RequestAttempt.objects.filter(at__lt=now - ATTEMPT_MEMORY).delete()
    return erased


def facilitator_choices(project: Project) -> Iterable[User]:
    """Who may facilitate or take notes: coordinators and peer researchers of the project."""
    return User.objects.filter(
        memberships__project=project,
        memberships__role__in=[Role.COORDINATOR, Role.PEER_RESEARCHER],
        is_active=True,
    ).order_by("display_name")
