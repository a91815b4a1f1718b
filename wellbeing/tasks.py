"""Reminder to coordinators about people whose supervision is overdue.

The task takes no personal data; the body is a plain function returning how many reminders it
queued. Scheduled in settings.CELERY_BEAT_SCHEDULE. The outbox's idempotency key holds the due
date, so a person is the subject of one reminder per overdue cycle however often the task runs.
"""

from datetime import datetime, time

from celery import shared_task
from django.utils import timezone

from coproduction.models import Membership, Project, Role
from coproduction.notifications.outbox import notify_now
from wellbeing.models import SessionRequest, cadence_for

MORNING_FROM, MORNING_UNTIL = time(8, 0), time(12, 0)


def remind_overdue_catch_ups(now: datetime | None = None) -> int:
    """For each project whose local time is 08:00–12:00, each peer researcher who is overdue
    and has no booking: one neutral "coordinator-alert" to the project's coordinators
    ("something needs your attention"). Beat runs it every 15 minutes; the morning window
    keeps these messages out of the night, the key keeps them to one per overdue cycle."""
    now = now or timezone.now()
    queued = 0
    for project in Project.objects.filter(memberships__role=Role.PEER_RESEARCHER).distinct():
        if not MORNING_FROM <= timezone.localtime(now, project.tzinfo).time() < MORNING_UNTIL:
            continue
        coordinators = list(project.coordinators)
        if not coordinators:
            continue
        memberships = {m.user_id: m for m in Membership.objects.filter(project=project, role=Role.PEER_RESEARCHER)}
        for cadence in cadence_for(project):
            if cadence.status != "overdue" or cadence.next_booking is not None:
                continue
            created = notify_now(
                template="coordinator-alert",
                about=memberships[cadence.person.pk],
                key=f"catch-up-overdue-{cadence.due_on:%Y%m%d}-{cadence.since:%Y%m%dT%H%M}",
                project=project,
                users=coordinators,
            )
            queued += len(created)
    return queued


@shared_task(name="wellbeing.remind_overdue_catch_ups")
def remind_overdue_catch_ups_task() -> int:
    return remind_overdue_catch_ups()


def purge_spent_session_requests(now: datetime | None = None) -> int:
    """Delete session requests past their retention (`SessionRequest.objects.retention_expired`):
    who asked for psychotherapy, and when suits them, is not kept once it has served. Returns
    how many; running it again deletes nothing more."""
    _, deleted = SessionRequest.objects.retention_expired(now).delete()
    return deleted.get(SessionRequest._meta.label, 0)


@shared_task(name="wellbeing.purge_spent_session_requests", ignore_result=True)
def purge_spent_session_requests_task() -> int:
    return purge_spent_session_requests()
