"""Demo interviews for `manage.py seed_demo`: every state, fictional text only."""

from datetime import timedelta

from django.utils import timezone

from coproduction.models import (
    AllowListTerm,
    AttributeDefinition,
    Consent,
    DenyListTerm,
    InformationSheet,
    NotesDraft,
    Participant,
    Venue,
)
from interviews.models import Interview, TopicGuide, TopicQuestion

QUESTIONS = [
    "How safe do the streets near you feel after dark?",
    "Where is the lighting poor, and what difference would better lighting make?",
    "Which support services have you used, and what made them easy or hard to reach?",
    "What would make it worth your time to keep taking part?",
]
VENUES = [("North hub", False), ("Riverside hub", False), ("Market hub", False), ("Phone", True), ("Online", True)]
# The demo borough's public places, services and helplines: none identifies anyone, so the
# check on notes leaves them alone (fictional places; real national helpline numbers).
DEMO_ALLOW_LIST = [
    ("Riverside Market", "place"),
    ("Riverside Station", "place"),
    ("Riverside High Street", "place"),
    ("Canal Path", "place"),
    ("Mill Lane", "place"),
    ("Katherine Road", "place"),
    ("Gasholder Park", "place"),
    ("Old Bus Depot", "place"),
    ("Riverside Library", "place"),
    ("North hub", "organisation"),
    ("Riverside hub", "organisation"),
    ("Market hub", "organisation"),
    ("Riverside Outreach", "organisation"),
    ("Riverside Council", "organisation"),
    ("Safer Streets Team", "organisation"),
    ("Women's Drop-in", "organisation"),
    ("National Ugly Mugs", "organisation"),
    ("Samaritans", "organisation"),
    ("116 123", "helpline"),
    ("0808 2000 247", "helpline"),
    ("0800 1111", "helpline"),
    ("111", "helpline"),
]
ANSWERS = [
    "Feels safer near the market since the new outreach van started, less so by the old bus depot.",
    "The path along the canal is dark; two of the lamps have been out since the summer.",
    "Used the drop-in twice. Opening hours clash with work, so evenings would help.",
    "Seeing that something changes. Last time nobody came back to tell us.",
]


def seed_interviews(project, people) -> None:
    """Steps: venues, a topic guide, an information sheet, consenting participants in three
    cohorts, then one interview in each state (scheduled, completed with a draft, submitted,
    sent back, released, cancelled, did not attend). Skipped if the project has interviews."""
    from coproduction.notes import actions as gate
    from interviews import actions

    if Interview.objects.filter(project=project).exists():
        return
    coordinator, peer1, peer2 = people["coordinator"], people["peer1"], people["peer2"]
    venues = [
        Venue.objects.get_or_create(project=project, name=name, defaults={"is_remote": remote})[0] for name, remote in VENUES
    ]
    guide, created = TopicGuide.objects.get_or_create(project=project, version=1)
    if created:
        for order, text in enumerate(QUESTIONS, start=1):
            TopicQuestion.objects.create(guide=guide, order=order, text=text)
    sheet = InformationSheet.objects.filter(project=project).first() or InformationSheet.objects.create(
        project=project, version=1, text="Taking part is voluntary. Your name is never written down. (Demo text.)"
    )
    AttributeDefinition.objects.get_or_create(
        project=project, name="Age band", defaults={"choices": ["18–24", "25–34", "35–49", "50 and over"]}
    )
    if not DenyListTerm.objects.filter(project=project).exists():
        for term, kind in [("Jaz", "nickname"), ("Old Gasworks", "place")]:
            DenyListTerm.objects.create(project=project, term=term, kind=kind, added_by=coordinator)
    if not AllowListTerm.objects.filter(project=project).exists():
        AllowListTerm.objects.bulk_create(
            AllowListTerm(project=project, term=term, kind=kind, added_by=coordinator) for term, kind in DEMO_ALLOW_LIST
        )
    participants = []
    for cohort in ["Sex worker", "Sex worker", "Sex worker", "Resident", "Resident", "Faith leader", "Sex worker"]:
        participant = Participant.objects.create(
            project=project, cohort=cohort, code=Participant.next_code(project, cohort), attributes={"Age band": "25–34"}
        )
        Consent.objects.create(
            participant=participant,
            information_sheet=sheet,
            take_part=True,
            notes_kept=True,
            quotes_published=True,
            follow_up=False,
            recorded_by=coordinator,
        )
        participants.append(participant)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)

    def interview(participant, interviewer, starts_at, venue, status=Interview.Status.SCHEDULED):
        item = Interview.objects.create(
            project=project,
            participant=participant,
            interviewer=interviewer,
            starts_at=starts_at,
            venue=venue,
            topic_guide=guide,
            booked_by=coordinator,
            status=status,
            completed_at=starts_at + timedelta(hours=1) if status == Interview.Status.COMPLETED else None,
        )
        actions.sync_interview_reminders(item)
        return item

    def notes(item, status):
        sections = {f"q{q.pk}": answer for q, answer in zip(guide.questions.all(), ANSWERS, strict=False)}
        sections["free"] = "Asked for the outreach team's number, which was given."
        return actions.start_draft(item, sections=sections, status=status)

    interview(participants[0], peer1, now + timedelta(days=2, hours=3), venues[0])
    interview(participants[1], peer2, now + timedelta(days=4), venues[3])
    writing = interview(participants[2], peer1, now - timedelta(days=1), venues[1], Interview.Status.COMPLETED)
    draft = notes(writing, NotesDraft.Status.WRITING)
    draft.sections = {**draft.sections, "free": "Mentioned Jaz who runs the stall by the station."}
    draft.save(update_fields=["content"])
    submitted = interview(participants[3], peer2, now - timedelta(days=3), venues[2], Interview.Status.COMPLETED)
    draft = notes(submitted, NotesDraft.Status.SUBMITTED)
    draft.submitted_at = now - timedelta(days=2)
    draft.save(update_fields=["submitted_at"])
    sent_back = interview(participants[4], peer1, now - timedelta(days=5), venues[0], Interview.Status.COMPLETED)
    draft = notes(sent_back, NotesDraft.Status.SENT_BACK)
    draft.review_comment = "Please say more about the support services question."
    draft.save(update_fields=["review_comment"])
    released = interview(participants[5], peer2, now - timedelta(days=9), venues[4], Interview.Status.COMPLETED)
    draft = notes(released, NotesDraft.Status.SUBMITTED)
    gate.release_notes(draft, by=coordinator)
    interview(participants[6], peer1, now - timedelta(days=6), venues[1], Interview.Status.CANCELLED)
    interview(participants[0], peer2, now - timedelta(days=7), venues[2], Interview.Status.NO_SHOW)


def seed_protocol_use(project, people) -> None:
    """One use of the distress protocol on peer1's interview of yesterday: the second stage
    reached, the interview ended, the pocket card and a demo service offered, and a follow-up
    call agreed for tomorrow (a reminder at 09:00; on both dashboards until it is done)."""
    from coproduction.models import SupportService
    from coproduction.signposting.actions import ensure_protocol
    from interviews import actions
    from interviews.models import ProtocolUse

    peer1 = people["peer1"]
    interview = (
        Interview.objects.filter(project=project, interviewer=peer1, status=Interview.Status.COMPLETED)
        .order_by("-starts_at")
        .first()
    )
    if interview is None or ProtocolUse.objects.filter(interview__project=project).exists():
        return
    steps = ensure_protocol(project)
    actions.record_protocol_use(
        interview,
        by=peer1,
        stage_reached=steps[min(1, len(steps) - 1)],
        interview_ended=True,
        offered=[ProtocolUse.Offer.BREAK, ProtocolUse.Offer.END, ProtocolUse.Offer.CARD],
        services=list(SupportService.objects.filter(project=project, walk_in=True)[:1]),
        follow_up_on=timezone.localdate() + timedelta(days=1),
    )
