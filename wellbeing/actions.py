"""Workflows of the wellbeing app: each one touches several models under one transaction.

Messages that leave the app go through the notification outbox with neutral template names
("appointment-reminder", "coordinator-alert"): what the appointment is never reaches it.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coproduction.audit import record
from coproduction.models import Project, Role, User
from coproduction.notifications.outbox import Reminder, cancel_reminders, notify_now, sync_reminders
from wellbeing.models import (
    CheckIn,
    Reflection,
    SessionRequest,
    SupervisionNote,
    SupportPolicy,
    SupportSession,
    TrainingCompletion,
)

REMINDER_BEFORE = timedelta(hours=24)


# Sessions --------------------------------------------------------------------------------------


def clashes_for(
    project: Project,
    people: Iterable[User],
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude: SupportSession | None = None,
    provider=None,
) -> list[str]:
    """Plain-English clashes of `people` with their interviews and other booked sessions, and
    of the provider with their other booked sessions (in any project: providers are shared).

    Interviews that are cancelled or did not happen, and sessions that are not booked, do not
    clash. The wording names the person and the time, never the participant or the kind.
    """
    from interviews.models import Interview

    people = list(people)
    tz = project.tzinfo
    problems = []
    interviews = (
        Interview.objects.active()
        .filter(project=project, interviewer__in=people, starts_at__lt=ends_at)
        .select_related("interviewer")
        .order_by("starts_at")
    )
    for interview in interviews:
        if interview.ends_at > starts_at:
            problems.append(f"{interview.interviewer} has an interview {_span(interview.starts_at, interview.ends_at, tz)}.")
    sessions = SupportSession.objects.booked().filter(
        project=project, attendees__in=people, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None and exclude.pk:
        sessions = sessions.exclude(pk=exclude.pk)
    for session in sessions.prefetch_related("attendees").distinct().order_by("starts_at"):
        names = sorted(str(p) for p in session.attendees.all() if p in people)
        problems.append(f"{', '.join(names)} already has an appointment {_span(session.starts_at, session.ends_at, tz)}.")
    if provider is not None:
        busy = SupportSession.objects.booked().filter(provider=provider, starts_at__lt=ends_at, ends_at__gt=starts_at)
        if exclude is not None and exclude.pk:
            busy = busy.exclude(pk=exclude.pk)
        for session in busy.order_by("starts_at"):
            problems.append(f"{provider.name} already has an appointment {_span(session.starts_at, session.ends_at, tz)}.")
    return problems


def _span(start: datetime, end: datetime, tz) -> str:
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    return f"on {start:%-d %b %Y} from {start:%H:%M} to {end:%H:%M}"


def session_reminders(session: SupportSession) -> list[Reminder]:
    """Every attendee, and the provider if they have an account, 24 hours (elapsed) before."""
    if session.status != SupportSession.Status.BOOKED:
        return []
    recipients = list(session.attendees.all())
    if session.provider and session.provider.user_id and session.provider.user not in recipients:
        recipients.append(session.provider.user)
    # Subtract in UTC: aware arithmetic in a local zone is wall-clock arithmetic, which would
    # make "24 hours" 23 or 25 across a clock change.
    due_at = session.starts_at.astimezone(UTC) - REMINDER_BEFORE
    return [
        Reminder("appointment-reminder", due_at, "24h-before", user=person, starts_at=session.starts_at, ends_at=session.ends_at)
        for person in recipients
    ]


class SessionClash(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def lock_for_booking(attendees: list[User], provider) -> None:
    """Lock the rows of everyone a booking involves, in a fixed order (no deadlock), until the
    transaction ends: a second booking for the same people waits, then sees the first."""
    list(User.objects.select_for_update().filter(pk__in=[a.pk for a in attendees]).order_by("pk"))
    if provider is not None:
        list(type(provider).objects.select_for_update().filter(pk=provider.pk))


@transaction.atomic
def book_session(
    *,
    project: Project,
    kind: str,
    provider,
    attendees: Iterable[User],
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    booked_by: User,
    request: SessionRequest | None = None,
) -> SupportSession:
    """Book a session. The form checked for clashes; two coordinators booking the same person
    or provider at once could both pass it, so the people and the provider are locked and the
    check runs again here (SessionClash lists what clashes; nothing is saved)."""
    attendees = list(attendees)
    lock_for_booking(attendees, provider)
    problems = clashes_for(project, attendees, starts_at, ends_at, provider=provider)
    if problems:
        raise SessionClash(problems)
    session = SupportSession.objects.create(
        project=project,
        kind=kind,
        provider=provider,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        booked_by=booked_by,
    )
    session.attendees.set(attendees)
    if request is not None:
        request.session = session
        request.save(update_fields=["session"])
    sync_reminders(session, project, session_reminders(session))
    record(booked_by, "support_session.booked", session)
    return session


@transaction.atomic
def reschedule_session(session: SupportSession, *, by: User, attendees=None, **changes) -> SupportSession:
    """Change a booked session; tell the attendees if its time moved. Clashes are checked
    again under the same locks as booking (SessionClash; nothing is changed)."""
    people = list(attendees) if attendees is not None else list(session.attendees.all())
    provider = changes.get("provider", session.provider)
    lock_for_booking(people, provider)
    problems = clashes_for(
        session.project,
        people,
        changes.get("starts_at", session.starts_at),
        changes.get("ends_at", session.ends_at),
        exclude=session,
        provider=provider,
    )
    if problems:
        raise SessionClash(problems)
    moved = ("starts_at" in changes and changes["starts_at"] != session.starts_at) or (
        "ends_at" in changes and changes["ends_at"] != session.ends_at
    )
    old_start, old_end = session.starts_at, session.ends_at
    for field, value in changes.items():
        setattr(session, field, value)
    session.save()
    removed: list[User] = []
    if attendees is not None:
        before = set(session.attendees.all())
        session.attendees.set(attendees)
        removed = sorted(before - set(attendees), key=lambda person: person.pk)
    for person in removed:
        # For someone taken off the session it is, as far as they are concerned, cancelled.
        notify_now(
            template="appointment-cancelled",
            about=session,
            key=f"removed-{person.pk}-{old_start:%Y%m%dT%H%M}",
            project=session.project,
            users=[person],
            starts_at=old_start,
            ends_at=old_end,
        )
    sync_reminders(session, session.project, session_reminders(session))
    if moved:
        notify_now(
            template="appointment-moved",
            about=session,
            key=f"moved-{session.starts_at:%Y%m%dT%H%M}",
            project=session.project,
            users=session.attendees.all(),
            starts_at=session.starts_at,
            ends_at=session.ends_at,
        )
    record(by, "support_session.changed", session)
    return session


@transaction.atomic
def cancel_session(session: SupportSession, *, by: User) -> None:
    session.status = SupportSession.Status.CANCELLED
    session.save(update_fields=["status"])
    cancel_reminders(session)
    notify_now(
        template="appointment-cancelled",
        about=session,
        key="cancelled",
        project=session.project,
        users=session.attendees.all(),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )
    record(by, "support_session.cancelled", session)


@transaction.atomic
def record_attendance(session: SupportSession, *, attended: bool, by: User, present: Iterable[User] | None = None) -> None:
    """Attended or not; for a group session, `present` says who came (the others are absentees,
    and the session counts as attended if anyone came)."""
    if present is not None:
        present = set(present)
        attended = bool(present)
        session.absentees.set([person for person in session.attendees.all() if person not in present] if attended else [])
    session.status = SupportSession.Status.ATTENDED if attended else SupportSession.Status.DID_NOT_ATTEND
    session.save(update_fields=["status"])
    cancel_reminders(session)
    record(by, "support_session.attendance_recorded", session)


@transaction.atomic
def save_supervision_note(session: SupportSession, *, text: str, by: User) -> SupervisionNote:
    note, _ = SupervisionNote.objects.update_or_create(
        session=session, defaults={"text": text, "author": by, "updated_at": timezone.now()}
    )
    record(by, "supervision_note.saved", session)
    return note


@transaction.atomic
def request_session(*, project: Project, person: User, kind: str, preferred_times: str) -> SessionRequest:
    session_request = SessionRequest.objects.create(
        project=project, requested_by=person, kind=kind, preferred_times=preferred_times
    )
    record(person, "session_request.made", session_request)
    return session_request


@transaction.atomic
def decline_request(session_request: SessionRequest, *, by: User) -> None:
    session_request.declined_at = timezone.now()
    session_request.save(update_fields=["declined_at"])
    record(by, "session_request.declined", session_request)


# Check-ins -------------------------------------------------------------------------------------


def ask_for_check_in(interview) -> CheckIn | None:
    """Create the check-in for a completed interview's interviewer (once per interview)."""
    project = interview.project
    if not project.memberships.filter(user_id=interview.interviewer_id, role=Role.PEER_RESEARCHER).exists():
        return None
    check_in, _ = CheckIn.objects.get_or_create(
        interview=interview, defaults={"project": project, "person_id": interview.interviewer_id}
    )
    return check_in


@transaction.atomic
def offer_debrief(interview) -> CheckIn | None:
    """The distress protocol was used on the interview: offer its interviewer a debrief with the
    interview's check-in (made now if the interview is not completed yet). Once per interview:
    an offer already made, answered or not, is not made again."""
    check_in = ask_for_check_in(interview)
    if check_in is None:
        return None
    check_in = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    if check_in.debrief_offered_at is None:
        check_in.debrief_offered_at = timezone.now()
        check_in.save(update_fields=["debrief_offered_at"])
        record(None, "check_in.debrief_offered", check_in)
    return check_in


def _answer_debrief(check_in: CheckIn, wants_debrief: bool) -> None:
    """Saying yes asks the coordinators for a debrief session (their open requests list)."""
    check_in.debrief_answered_at = timezone.now()
    if wants_debrief:
        request_session(project=check_in.project, person=check_in.person, kind=SupportSession.Kind.DEBRIEF, preferred_times="")


@transaction.atomic
def answer_debrief(check_in: CheckIn, *, wants_debrief: bool) -> None:
    """The debrief offer on a check-in already answered."""
    _answer_debrief(check_in, wants_debrief)
    check_in.save(update_fields=["debrief_answered_at"])


@transaction.atomic
def complete_check_in(
    check_in: CheckIn, *, score: int, wants_to_talk: bool, private_note: str, wants_debrief: bool = False
) -> bool:
    """Save the answers (and the answer to a debrief offer); alert the coordinators if asked.
    Returns whether an alert was raised."""
    if check_in.debrief_open:
        _answer_debrief(check_in, wants_debrief)
    check_in.score = score
    check_in.wants_to_talk = wants_to_talk
    check_in.private_note = private_note
    check_in.completed_at = timezone.now()
    alert = check_in.needs_alert(SupportPolicy.current(check_in.project))
    if alert:
        check_in.alert_raised_at = check_in.completed_at
    check_in.save()
    if alert:
        # The message says only that something needs attention: no name, no score, no reason.
        notify_now(
            template="coordinator-alert",
            about=check_in,
            key="alert",
            project=check_in.project,
            users=check_in.project.coordinators,
        )
    record(check_in.person, "check_in.completed", check_in)
    return alert


@transaction.atomic
def acknowledge_alert(check_in: CheckIn, *, by: User) -> None:
    check_in.alert_acknowledged_at = timezone.now()
    check_in.alert_acknowledged_by = by
    check_in.save(update_fields=["alert_acknowledged_at", "alert_acknowledged_by"])
    record(by, "check_in.alert_acknowledged", check_in)


# Reflections and training ----------------------------------------------------------------------


def add_reflection(*, project: Project, author: User, text: str) -> Reflection:
    return Reflection.objects.create(project=project, author=author, text=text)


def delete_reflection(reflection: Reflection) -> None:
    """Gone for good: the row is deleted, not flagged. No audit row (it would say nothing useful
    and an audit of a private journal is itself a disclosure)."""
    reflection.delete()


@transaction.atomic
def record_training(*, person: User, module, completed_on, by: User, project: Project) -> TrainingCompletion:
    completion, _ = TrainingCompletion.objects.update_or_create(
        user=person, module=module, defaults={"completed_on": completed_on, "recorded_by": by, "project": project}
    )
    record(by, "training.recorded", completion, project=project)
    return completion


def missing_training(user, project: Project) -> list:
    policy = SupportPolicy.objects.filter(project=project).first()
    if policy is None:
        return []
    done = TrainingCompletion.objects.filter(user=user).values_list("module_id", flat=True)
    return list(policy.required_modules.exclude(pk__in=done).order_by("name"))


def training_problems(user, project: Project) -> list[str]:
    """Registered with coproduction.eligibility: an untrained peer researcher gets no interviews."""
    missing = missing_training(user, project)
    if not missing:
        return []
    return [f"Needs training: {', '.join(m.name for m in missing)}."]
