"""Interview fixtures built straight in the database (past interviews cannot be booked)."""

from datetime import timedelta

from django.utils import timezone

from coproduction.models import Document, NotesDraft, Project, User, Venue
from interviews.actions import start_draft
from interviews.models import Interview, TopicGuide, TopicQuestion
from tests.participation.factories import consenting_participant

QUESTIONS = ["How safe do the streets feel at night?", "What would help?"]


def guide_for(project: Project) -> TopicGuide:
    guide = TopicGuide.objects.filter(project=project).order_by("-version").first()
    if guide is None:
        guide = TopicGuide.objects.create(project=project, version=1)
        for order, text in enumerate(QUESTIONS, start=1):
            TopicQuestion.objects.create(guide=guide, order=order, text=text)
    return guide


def venue_for(project: Project, name: str = "North hub") -> Venue:
    return Venue.objects.get_or_create(project=project, name=name)[0]


def make_interview(
    project: Project,
    interviewer: User,
    *,
    booked_by: User,
    status=Interview.Status.SCHEDULED,
    starts_in=timedelta(days=2),
    participant=None,
) -> Interview:
    starts_at = timezone.now() + starts_in
    return Interview.objects.create(
        project=project,
        participant=participant or consenting_participant(project, booked_by),
        interviewer=interviewer,
        starts_at=starts_at,
        venue=venue_for(project),
        topic_guide=guide_for(project),
        booked_by=booked_by,
        status=status,
        completed_at=starts_at + timedelta(hours=1) if status == Interview.Status.COMPLETED else None,
    )


def completed_interview(world, interviewer=None) -> Interview:
    return make_interview(
        world.project,
        interviewer or world.peer,
        booked_by=world.coordinator,
        status=Interview.Status.COMPLETED,
        starts_in=-timedelta(days=1),
    )


def draft_for(interview: Interview, status=NotesDraft.Status.WRITING, **sections) -> NotesDraft:
    guide = interview.topic_guide
    texts = {f"q{q.pk}": sections.get(f"q{q.order}", "") for q in guide.questions.all()}
    texts["free"] = sections.get("free", "")
    return start_draft(interview, sections=texts, status=status)


def released_document(world) -> Document:
    interview = completed_interview(world)
    return Document.objects.create(
        project=world.project,
        participant=interview.participant,
        title=f"{interview.participant.code}, January 2026",
        cohort=interview.participant.cohort,
        month="2026-01-01",
        text="Q\n\nfine\n\n",
        sections=[{"heading": "Q", "start": 0, "end": 9}],
        released_by=world.coordinator,
    )
