"""Demo engagement for `manage.py seed_demo`, modelled on the brief: three community
conversations, a faith leaders' session and individual sessions for people who could not come
to a group, 55 residents in all; feedback counts; reach targets; one conversation still to come
on the public page, and one request for an individual session. Everything is invented."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from coproduction.analysis.demo_data import code_demo_documents
from coproduction.engagement.actions import sync_event_reminders
from coproduction.engagement.notes import start_event_draft
from coproduction.models import (
    CohortAttendance,
    DiscussionGuide,
    DiscussionQuestion,
    Event,
    EventFeedback,
    IndividualSessionRequest,
    NotesDraft,
    PublicListing,
    ReachTarget,
    Venue,
)
from coproduction.notes import actions as gate

QUESTIONS = [
    "How safe do the streets near you feel after dark?",
    "What would make the area feel safer for everyone who lives and works here?",
    "Which services do you know of, and which would you use?",
    "How would you like to hear what happens next?",
]
VENUES = [("Riverside Community Hall", False), ("St Mark's Church Hall", False), ("Riverside Library", False)]
TARGETS = {"Sex worker": 20, "Resident": 50, "Faith leader": 8}
# (title, kind, days ago, venue, {cohort: count}, (listened yes, partly, no), (again yes, maybe, no))
HELD = [
    (
        "Community conversation: the high street",
        Event.Kind.COMMUNITY_CONVERSATION,
        120,
        0,
        {"Resident": 16},
        (11, 4, 1),
        (12, 3, 1),
    ),
    (
        "Community conversation: the canal path",
        Event.Kind.COMMUNITY_CONVERSATION,
        95,
        2,
        {"Resident": 14},
        (10, 3, 1),
        (11, 2, 1),
    ),
    ("Community conversation: the market", Event.Kind.COMMUNITY_CONVERSATION, 70, 0, {"Resident": 13}, (10, 2, 0), (10, 2, 0)),
    ("Faith and community leaders", Event.Kind.FAITH_LEADERS, 60, 1, {"Resident": 4, "Faith leader": 6}, (8, 2, 0), (9, 1, 0)),
]
# The notes taken at each group event, one answer per discussion question (invented, and
# written as a careful note-taker would: no names, no addresses).
NOTES = [
    [
        "Most people said the high street feels safe in the day but not after dark, when groups gather by the closed shops.",
        "Better lighting by the bus stops, and a visible outreach presence, not only more police.",
        "Few knew of the outreach service. Several would use a drop-in hub if it were open in the evening.",
        "By text message and at the next meeting; some asked for a printed newsletter at the library.",
    ],
    [
        "The canal path is dark and people avoid it; women said they had been shouted at there.",
        "Working lamps along the towpath and cutting back the bushes by the bridge.",
        "People knew the clinic but not the outreach van. They asked for one number to call for support.",
        "A short update every few months, in plain words, and a chance to say whether it worked.",
    ],
    [
        "Traders said the market is safe while it is open. Residents worry about harassment near the car park.",
        "More people around in the evening: a late market, and lighting in the car park.",
        "Support services should work together; people were tired of being sent from one service to another.",
        "People want to be involved in checking the actions, not only heard at the start.",
    ],
    [
        "Leaders said members of their congregations feel unsafe walking to evening services.",
        "The community halls could host a drop-in, and volunteers could walk with people after dark.",
        "They would refer people to the outreach service if they knew how, and asked for training.",
        "Through their own meetings: they offered to share updates and to listen to what people say.",
    ],
]
INDIVIDUAL_SESSIONS = 8  # one resident each, for people who could not come to a group: 43 + 4 + 8 = 55


def seed_engagement(project, people) -> None:
    """Skipped if the project has events already."""
    if Event.objects.filter(project=project).exists():
        return
    coordinator, peer1, peer2 = people["coordinator"], people["peer1"], people["peer2"]
    venues = [
        Venue.objects.get_or_create(project=project, name=name, defaults={"is_remote": remote})[0] for name, remote in VENUES
    ]
    phone = Venue.objects.filter(project=project, is_remote=True).first() or venues[2]
    guide = DiscussionGuide.objects.create(project=project, version=1)
    DiscussionQuestion.objects.bulk_create(
        DiscussionQuestion(guide=guide, order=n, text=text) for n, text in enumerate(QUESTIONS, start=1)
    )
    tz = project.tzinfo
    today = timezone.localdate(timezone=tz)

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, 0), tzinfo=tz)

    def event(title, kind, starts_at, venue, status, **extra) -> Event:
        made = Event.objects.create(
            project=project,
            title=title,
            kind=kind,
            starts_at=starts_at,
            duration_minutes=90 if kind != Event.Kind.INDIVIDUAL else 45,
            venue=venue,
            note_taker=peer2,
            cohorts=["Resident", "Faith leader"] if kind == Event.Kind.FAITH_LEADERS else ["Resident"],
            discussion_guide=guide,
            status=status,
            created_by=coordinator,
            status_changed_at=starts_at if status == Event.Status.HELD else None,
            **extra,
        )
        made.facilitators.set([peer1, coordinator] if kind != Event.Kind.INDIVIDUAL else [peer1])
        return made

    groups = []
    for title, kind, days_ago, venue, counts, listened, again in HELD:
        held = event(
            title,
            kind,
            at(-days_ago, 18),
            venues[venue],
            Event.Status.HELD,
            capacity=25,
            step_free=True,
            creche=True,
            ground_rules_allow_quotes=True,
        )
        CohortAttendance.objects.bulk_create(CohortAttendance(event=held, cohort=c, count=n) for c, n in counts.items())
        EventFeedback.objects.create(
            event=held,
            listened_yes=listened[0],
            listened_partly=listened[1],
            listened_no=listened[2],
            again_yes=again[0],
            again_maybe=again[1],
            again_no=again[2],
            recorded_by=peer1,
        )
        groups.append(held)
    released = [_release_notes(held, answers, by=coordinator) for held, answers in zip(groups, NOTES, strict=True)]
    code_demo_documents(project, released, people)
    singles = []
    for n in range(INDIVIDUAL_SESSIONS):
        single = event("Individual session", Event.Kind.INDIVIDUAL, at(-85 + 7 * n, 11), phone, Event.Status.HELD, capacity=1)
        CohortAttendance.objects.create(event=single, cohort="Resident", count=1)
        EventFeedback.objects.create(
            event=single, listened_yes=1 if n % 4 else 0, listened_partly=0 if n % 4 else 1, again_yes=1, recorded_by=peer1
        )
        singles.append(single)
    # The latest individual session's notes wait for the coordinator's review.
    _write_notes(
        singles[-1], ["Feels unsafe waiting for the late bus; would like the outreach number."], NotesDraft.Status.SUBMITTED
    )
    upcoming = event(
        "Community conversation: what happens next",
        Event.Kind.COMMUNITY_CONVERSATION,
        at(14, 18),
        venues[0],
        Event.Status.PLANNED,
        capacity=30,
        step_free=True,
        interpreter=True,
        creche=True,
        accessibility_notes="Hearing loop in the main hall.",
    )
    sync_event_reminders(upcoming)
    for cohort, target in TARGETS.items():
        ReachTarget.objects.get_or_create(project=project, cohort=cohort, defaults={"target": target})
    PublicListing.objects.get_or_create(project=project)
    IndividualSessionRequest.objects.create(
        project=project,
        name="Jay",
        contact="jay@example.org",
        preferred_time="Weekday evenings after 7",
    )


def _write_notes(event: Event, answers: list[str], status: str) -> NotesDraft:
    keys = [key for key, _ in event.notes_sections()]
    sections = dict(zip(keys, answers, strict=False))
    submitted_at = event.ends_at if status == NotesDraft.Status.SUBMITTED else None
    return start_event_draft(event, author=event.note_taker, sections=sections, status=status, submitted_at=submitted_at)


def _release_notes(event: Event, answers: list[str], *, by):
    """Through the gate, as a coordinator would: the notes are scanned again on release."""
    draft = _write_notes(event, answers, NotesDraft.Status.SUBMITTED)
    return gate.release_notes(draft, by=by)
