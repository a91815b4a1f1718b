"""End to end through the outbox: a support session's reminder and an alert, as delivered."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from coproduction.models import Notification
from coproduction.notifications.delivery import claim_due_notifications, deliver_notification
from tests.wellbeing.factories import provider

pytestmark = pytest.mark.django_db
FORBIDDEN = ["therapy", "psychotherapy", "supervision", "counselling", "wellbeing", "check-in", "interview", "support"]


def deliver_due(now):
    for pk in claim_due_notifications(now, queue=False):
        deliver_notification(pk, now)


def everything_sent() -> str:
    parts = []
    for message in mail.outbox:
        parts += [message.subject, message.body]
        parts += [str(content) for content, _mime in getattr(message, "alternatives", [])]
        parts += [
            attachment[1].decode() if isinstance(attachment[1], bytes) else str(attachment[1])
            for attachment in message.attachments
        ]
    return "\n".join(parts)


def test_psychotherapy_reminder_and_alert_leave_the_app_in_neutral_words(world, client_for):
    therapist = provider(kind="psychotherapist", name="Dr Sensitive Name")
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        client_for(world.coordinator).post(
            reverse("wellbeing:session_new", kwargs={"slug": world.project.slug}),
            {
                "kind": "psychotherapy",
                "provider": therapist.pk,
                "attendees": [world.peer.pk],
                "day": "2026-03-05",
                "start": "10:00",
                "end": "11:00",
                "location": "Therapy rooms, 3 Sensitive Street",
            },
        )
    reminder_due = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    with time_machine.travel(reminder_due + timedelta(minutes=1), tick=False):
        deliver_due(reminder_due + timedelta(minutes=1))
    assert Notification.objects.get(template="appointment-reminder").status == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.peer.email]
    sent = everything_sent()
    assert "10:00" in sent
    for word in [*FORBIDDEN, "Sensitive", str(world.peer)]:
        assert word.lower() not in sent.lower(), word


def test_a_check_in_alert_reaches_coordinators_without_a_name_score_or_reason(world, client_for):
    from wellbeing.models import CheckIn

    check_in = CheckIn.objects.create(project=world.project, person=world.peer)
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        client_for(world.peer).post(
            reverse("wellbeing:check_in", kwargs={"slug": world.project.slug, "pk": check_in.pk}),
            {"score": "1", "wants_to_talk": "on", "private_note": "Sensitive note"},
        )
        deliver_due(now)
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]
    sent = everything_sent()
    for word in [*FORBIDDEN, "Sensitive", str(world.peer), " 1 "]:
        assert word.lower() not in sent.lower(), word


def test_the_daily_digest_counts_open_alerts_and_people_due_in_neutral_words(world):
    from coproduction.models import Membership
    from coproduction.notifications.delivery import queue_daily_digests
    from tests.wellbeing.factories import alert

    morning = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)  # 08:30 GMT
    Membership.objects.filter(user=world.peer).update(created_at=morning - timedelta(days=30))
    alert(world.project, world.peer, note="Sensitive note")
    with time_machine.travel(morning, tick=False):
        assert queue_daily_digests(morning) >= 1
        deliver_due(morning)
    digest = [m for m in mail.outbox if m.to == [world.coordinator.email]]
    assert len(digest) == 1
    body = digest[0].body
    assert "Items needing your attention" in body and "People due a catch-up" in body
    for word in [*FORBIDDEN, "Sensitive", str(world.peer)]:
        assert word.lower() not in body.lower(), word
