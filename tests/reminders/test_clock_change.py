"""With time frozen, every rule fires at the right moment across the clocks changing (BST/GMT).

Europe/London in 2026: clocks go forward at 01:00 UTC on 29 March, back at 01:00 UTC on
25 October. Reminders are "24 h" and "2 h" before in real elapsed time; the digest and quiet
hours follow the wall clock.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from coproduction.models import Notification
from coproduction.notifications import delivery, digest, outbox
from coproduction.notifications.digest import DigestLine
from tests.factories import ParticipantFactory
from tests.reminders.conftest import utc


def book(world, starts_at, user, about=None):
    """What the interviews app does on booking: 24 h and 2 h reminders through the outbox."""
    about = about or ParticipantFactory(project=world.project)
    reminders = [
        outbox.Reminder("appointment-reminder", starts_at - timedelta(hours=h), f"{h}h-before", user=user, starts_at=starts_at)
        for h in (24, 2)
    ]
    return outbox.sync_reminders(about, world.project, reminders)


def claimed_at(moment) -> list[int]:
    with time_machine.travel(moment, tick=False):
        ids = delivery.claim_due_notifications(queue=False)
        for pk in ids:
            delivery.deliver_notification(pk)
    return ids


@pytest.mark.parametrize(
    ("booked_at", "starts_at", "due_24h", "due_2h", "phrase"),
    [
        # Monday after the clocks go forward: 10:00 BST is 09:00 UTC; 24 h before is 10:00 BST on Sunday.
        (utc(2026, 3, 27, 12), utc(2026, 3, 30, 9), utc(2026, 3, 29, 9), utc(2026, 3, 30, 7), "tomorrow at 10:00"),
        # The Sunday of the change itself: 24 h before 10:00 BST is 09:00 GMT on Saturday.
        (utc(2026, 3, 27, 12), utc(2026, 3, 29, 9), utc(2026, 3, 28, 9), utc(2026, 3, 29, 7), "tomorrow at 10:00"),
        # Monday after the clocks go back: 10:00 GMT is 10:00 UTC.
        (utc(2026, 10, 23, 12), utc(2026, 10, 26, 10), utc(2026, 10, 25, 10), utc(2026, 10, 26, 8), "tomorrow at 10:00"),
    ],
)
def test_appointment_reminders_fire_at_the_right_utc_instant(world, booked_at, starts_at, due_24h, due_2h, phrase):
    with time_machine.travel(booked_at, tick=False):
        rows = book(world, starts_at, world.peer)
    assert sorted(r.due_at for r in rows) == [due_24h, due_2h]
    assert claimed_at(due_24h - timedelta(seconds=1)) == []
    assert len(claimed_at(due_24h)) == 1
    assert f"You have an appointment {phrase}." in mail.outbox[0].body
    assert claimed_at(due_2h - timedelta(seconds=1)) == []
    assert len(claimed_at(due_2h)) == 1
    assert "You have an appointment today at 10:00." in mail.outbox[1].body
    assert len(mail.outbox) == 2


def test_rescheduling_moves_pending_reminders(world):
    about = ParticipantFactory(project=world.project)
    with time_machine.travel(utc(2026, 3, 27, 12), tick=False):
        book(world, utc(2026, 3, 30, 9), world.peer, about)
        rows = book(world, utc(2026, 3, 31, 9), world.peer, about)  # moved a day later
    assert sorted(r.due_at for r in rows) == [utc(2026, 3, 30, 9), utc(2026, 3, 31, 7)]
    assert Notification.objects.about(about).pending().count() == 2
    assert claimed_at(utc(2026, 3, 29, 9)) == []  # the old times are cancelled
    assert claimed_at(utc(2026, 3, 30, 7)) == []
    assert len(claimed_at(utc(2026, 3, 30, 9))) == 1


@pytest.fixture
def news(monkeypatch):
    monkeypatch.setattr(digest, "_sections", [lambda project: [DigestLine("Items waiting for your review", 2)]])


@pytest.mark.parametrize(
    ("before", "at"),
    [
        (utc(2026, 6, 10, 6, 59), utc(2026, 6, 10, 7, 0)),  # summer: 08:00 BST is 07:00 UTC
        (utc(2026, 12, 10, 7, 59), utc(2026, 12, 10, 8, 0)),  # winter: 08:00 GMT is 08:00 UTC
        (utc(2026, 3, 29, 6, 59), utc(2026, 3, 29, 7, 0)),  # the morning the clocks went forward
        (utc(2026, 10, 25, 7, 59), utc(2026, 10, 25, 8, 0)),  # the morning the clocks went back
    ],
)
def test_the_digest_is_queued_at_0800_project_time(world, news, before, at):
    with time_machine.travel(before, tick=False):
        assert delivery.queue_daily_digests() == 0
    with time_machine.travel(at, tick=False):
        assert delivery.queue_daily_digests() == 2  # one coordinator in each of the two projects
        assert delivery.queue_daily_digests() == 0  # once per project per local day


def alert(world, user) -> list[Notification]:
    return outbox.notify_now(template="coordinator-alert", about=world.project, key="alert", project=world.project, users=[user])


@pytest.fixture
def texter(world, notify):
    peer = world.peer
    peer.phone_number = "+447700900982"
    peer.reminder_channels = ["sms"]
    peer.save()
    return peer


@pytest.mark.parametrize(
    ("due", "morning"),
    [
        (utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 7, 0)),  # 22:00 GMT -> 08:00 BST after the change
        (utc(2026, 10, 24, 21, 30), utc(2026, 10, 25, 8, 0)),  # 22:30 BST -> 08:00 GMT after the change
        (utc(2026, 6, 10, 6, 30), utc(2026, 6, 10, 7, 0)),  # 07:30 BST -> 08:00 BST the same morning
        (utc(2026, 12, 10, 20, 59), None),  # 20:59 GMT: not quiet yet
    ],
)
def test_quiet_hours_hold_text_messages_until_morning(world, texter, notify, due, morning):
    with time_machine.travel(due - timedelta(hours=1), tick=False):
        (notification,) = alert(world, texter)
    Notification.objects.filter(pk=notification.pk).update(due_at=due)
    if morning is None:
        assert claimed_at(due) == [notification.pk]
        assert len(notify.sms) == 1
        return
    assert claimed_at(due) == []
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING and notification.not_before == morning
    assert notification.attempts == 0
    assert claimed_at(morning - timedelta(seconds=1)) == []
    assert claimed_at(morning) == [notification.pk]
    assert len(notify.sms) == 1


def test_quiet_hours_follow_the_recipients_own_time_zone(world, texter, notify):
    texter.time_zone = "America/New_York"
    texter.save()
    due = utc(2026, 6, 10, 22, 0)  # 23:00 in London, 18:00 in New York
    with time_machine.travel(due, tick=False):
        alert(world, texter)
    assert len(claimed_at(due)) == 1


def test_email_is_not_held_by_quiet_hours(world):
    due = utc(2026, 6, 10, 22, 0)
    with time_machine.travel(due, tick=False):
        alert(world, world.peer)
    assert len(claimed_at(due)) == 1
    assert len(mail.outbox) == 1
