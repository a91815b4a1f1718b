"""The fictional support data of the demo project (manage.py seed_demo). All invented."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from interviews.models import Interview
from wellbeing.models import (
    CheckIn,
    Provider,
    SessionRequest,
    SupervisionNote,
    SupportPolicy,
    SupportSession,
    TrainingCompletion,
    TrainingModule,
)

DEFAULT_MODULES = ["Data protection", "Distress protocol", "Interviewing skills", "Safeguarding"]


def seed_support(project, people) -> None:
    if SupportSession.objects.filter(project=project).exists():
        return  # already seeded
    coordinator, supervisor = people["coordinator"], people["supervisor"]
    peers = [people["peer1"], people["peer2"], people["peer3"]]
    modules = {name: TrainingModule.objects.get_or_create(name=name)[0] for name in DEFAULT_MODULES}
    policy = SupportPolicy.for_project(project)
    policy.required_modules.set([modules["Safeguarding"], modules["Distress protocol"]])
    today = timezone.localdate(timezone=project.tzinfo)
    for peer in peers[:2]:
        for module in modules.values():
            TrainingCompletion.objects.get_or_create(
                user=peer,
                module=module,
                defaults={"completed_on": today - timedelta(days=40), "recorded_by": coordinator, "project": project},
            )
    TrainingCompletion.objects.get_or_create(
        user=peers[2],
        module=modules["Safeguarding"],
        defaults={"completed_on": today - timedelta(days=10), "recorded_by": coordinator, "project": project},
    )

    morgan = Provider.objects.get_or_create(
        name="Dr Morgan Hale", kind=Provider.Kind.SUPERVISOR, defaults={"contact": "morgan.hale@example.org", "user": supervisor}
    )[0]
    therapist = Provider.objects.get_or_create(
        name="Riverside Counselling Partnership", kind=Provider.Kind.PSYCHOTHERAPIST, defaults={"contact": "01632 960 123"}
    )[0]
    trainer = Provider.objects.get_or_create(
        name="Lena Brook", kind=Provider.Kind.TRAINER, defaults={"contact": "lena@example.org"}
    )[0]

    def at(days: int, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)), project.tzinfo)

    def book(kind, provider, attendees, days, hour, status=SupportSession.Status.BOOKED, location="Riverside hub, room 2"):
        session = SupportSession.objects.create(
            project=project,
            kind=kind,
            provider=provider,
            starts_at=at(days, hour),
            ends_at=at(days, hour) + timedelta(hours=1),
            location=location,
            status=status,
            booked_by=coordinator,
        )
        session.attendees.set(attendees)
        return session

    kind, status = SupportSession.Kind, SupportSession.Status
    attended = book(kind.SUPERVISION_ONE, morgan, [peers[0]], -10, 10, status.ATTENDED)
    SupervisionNote.objects.create(
        session=attended, author=supervisor, text="Talked through pacing and taking breaks between sessions."
    )
    group = book(kind.SUPERVISION_GROUP, morgan, peers, -20, 14, status.ATTENDED)
    group.absentees.set([peers[2]])
    book(kind.SUPERVISION_ONE, morgan, [peers[1]], -5, 11, status.DID_NOT_ATTEND)
    book(kind.PSYCHOTHERAPY, therapist, [peers[1]], -3, 16, status.CANCELLED, location="")
    book(kind.PSYCHOTHERAPY, therapist, [peers[0]], 3, 17, location="")
    book(kind.SUPERVISION_ONE, morgan, [peers[0]], 4, 10, location="Online (link sent by email)")
    book(kind.TRAINING, trainer, [peers[2]], 6, 13)
    book(kind.DEBRIEF, None, [peers[1]], 1, 15)

    SessionRequest.objects.create(project=project, requested_by=peers[2], kind=kind.DEBRIEF, preferred_times="Weekday afternoons")


def seed_check_ins(project, people) -> None:
    """Check-ins are asked after a completed interview only (as `interview_completed` does), so
    the demo's follow its completed interviews: peer3, still in training, was never asked.
    Runs after the interviews' step."""
    if CheckIn.objects.filter(project=project).exists():
        return  # already seeded
    completed = Interview.objects.filter(project=project, status=Interview.Status.COMPLETED).order_by("-starts_at")
    answers = [
        {},  # the most recent is still to do
        {"score": 2, "wants_to_talk": True, "private_note": "Heavy one today.", "alert": True},
        {"score": 7},
    ]
    for interview, answer in zip(completed, answers, strict=False):
        asked = interview.completed_at
        alert = answer.pop("alert", False)
        CheckIn.objects.create(
            project=project,
            person_id=interview.interviewer_id,
            interview=interview,
            requested_at=asked,
            completed_at=asked + timedelta(hours=2) if answer else None,
            alert_raised_at=asked + timedelta(hours=2) if alert else None,
            **answer,
        )
