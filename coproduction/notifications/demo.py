"""Demo step: a few reminders due a minute or two after `make run` starts, so the console
email backend shows the outbox working (beat claims them, the worker sends them)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from coproduction.notifications import outbox


def schedule_demo_reminders(project, people) -> None:
    now = timezone.now()
    tomorrow_at_ten = datetime.combine(now.astimezone(project.tzinfo).date() + timedelta(days=1), time(10), tzinfo=project.tzinfo)
    peer = people["peer1"]
    outbox.sync_reminders(
        project,
        project,
        [
            outbox.Reminder(
                "appointment-reminder",
                now + timedelta(minutes=1),
                "demo-appointment",
                user=peer,
                starts_at=tomorrow_at_ten,
                ends_at=tomorrow_at_ten + timedelta(hours=1),
            ),
            outbox.Reminder("notes-overdue", now + timedelta(minutes=2), "demo-overdue", user=peer),
            outbox.Reminder("coordinator-alert", now + timedelta(minutes=2), "demo-alert", user=people["coordinator"]),
        ],
    )
