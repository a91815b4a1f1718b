"""Small builders for wellbeing tests: interviews (with what they need) and support sessions."""

from datetime import datetime, timedelta

from django.utils import timezone

from coproduction.models import Participant, Venue
from interviews.models import Interview, TopicGuide
from wellbeing.models import CheckIn, Provider, SupportSession


def interview(project, interviewer, *, starts_at: datetime, status=Interview.Status.SCHEDULED, completed_at=None, minutes=60):
    venue, _ = Venue.objects.get_or_create(project=project, name="Hub")
    guide, _ = TopicGuide.objects.get_or_create(project=project, version=1)
    code = f"SW-{Participant.objects.count() + 1:03d}"
    participant = Participant.objects.create(project=project, code=code, cohort="Sex worker")
    return Interview.objects.create(
        project=project,
        participant=participant,
        interviewer=interviewer,
        starts_at=starts_at,
        duration_minutes=minutes,
        venue=venue,
        topic_guide=guide,
        status=status,
        completed_at=completed_at,
        booked_by=interviewer,
    )


def provider(user=None, kind=Provider.Kind.SUPERVISOR, name="Dr Test"):
    return Provider.objects.create(name=name, kind=kind, contact="test@example.org", user=user)


def session(
    project,
    attendees,
    *,
    booked_by,
    starts_at=None,
    hours=1,
    kind=SupportSession.Kind.SUPERVISION_ONE,
    provider=None,
    status=SupportSession.Status.BOOKED,
):
    starts_at = starts_at or timezone.now() + timedelta(days=3)
    item = SupportSession.objects.create(
        project=project,
        kind=kind,
        provider=provider,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        location="Room 2",
        status=status,
        booked_by=booked_by,
    )
    item.attendees.set(attendees)
    return item


def alert(project, person, note="A private note"):
    now = timezone.now()
    return CheckIn.objects.create(
        project=project, person=person, completed_at=now, score=2, wants_to_talk=True, private_note=note, alert_raised_at=now
    )
