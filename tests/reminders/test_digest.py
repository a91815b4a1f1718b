"""The coordinators' daily digest: 08:00 project time, only with something in it, once a day."""

import time_machine
from django.core import mail

from coproduction.models import Notification
from coproduction.notifications import delivery, digest
from coproduction.notifications.digest import DigestLine
from tests.reminders.conftest import utc

MORNING = utc(2026, 12, 10, 8, 0)


def run_beat(moment):
    with time_machine.travel(moment, tick=False):
        delivery.queue_daily_digests()
        for pk in delivery.claim_due_notifications(queue=False):
            delivery.deliver_notification(pk)


def test_coordinators_of_a_project_with_news_get_a_digest_with_a_total(world, monkeypatch):
    counts = {world.project.pk: [DigestLine("Items waiting for your review", 2), DigestLine("Alerts still open", 1)]}
    monkeypatch.setattr(digest, "_sections", [lambda project: counts.get(project.pk, [])])
    run_beat(MORNING)
    (email,) = mail.outbox
    assert email.to == [world.coordinator.email]  # not the other project's, not other roles
    assert email.subject == "Your daily summary: 3 items"
    assert "- Items waiting for your review: 2" in email.body and "Total: 3." in email.body
    assert not email.attachments
    run_beat(utc(2026, 12, 10, 8, 5))
    assert len(mail.outbox) == 1  # once a day
    run_beat(utc(2026, 12, 11, 8, 0))
    assert len(mail.outbox) == 2  # and again the next morning


def test_no_news_no_digest(world, monkeypatch):
    monkeypatch.setattr(digest, "_sections", [lambda project: [DigestLine("Items waiting for your review", 0)]])
    run_beat(MORNING)
    assert mail.outbox == [] and not Notification.objects.exists()


def test_news_that_cleared_before_delivery_sends_nothing(world, monkeypatch):
    lines = [DigestLine("Alerts still open", 1)]
    monkeypatch.setattr(digest, "_sections", [lambda project: list(lines)])
    with time_machine.travel(MORNING, tick=False):
        delivery.queue_daily_digests()
    lines.clear()
    run_beat(utc(2026, 12, 10, 8, 1))
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.CANCELLED}


def test_news_in_the_afternoon_waits_for_tomorrow(world, monkeypatch):
    monkeypatch.setattr(digest, "_sections", [lambda project: [DigestLine("Alerts still open", 1)]])
    run_beat(utc(2026, 12, 10, 14, 0))
    assert mail.outbox == []
