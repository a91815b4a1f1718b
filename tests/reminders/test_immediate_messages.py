"""Messages sent at once (moved, cancelled, alerts) are not reminders: re-syncing or cancelling
an object's reminders never cancels them before they go out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduction.models import Notification
from coproduction.notifications import outbox

pytestmark = pytest.mark.django_db


def test_a_cancellation_notice_survives_the_sync_and_cancel_that_follow_it(world):
    about = world.project.memberships.get(user=world.peer)
    starts_at = timezone.now() + timedelta(days=1)
    outbox.sync_reminders(
        about, world.project, [outbox.Reminder("appointment-reminder", starts_at - timedelta(hours=2), "2h", user=world.peer)]
    )
    notice = outbox.notify_now(
        template="appointment-cancelled", about=about, key="cancelled", project=world.project, users=[world.peer]
    )

    outbox.sync_reminders(about, world.project, [])
    outbox.cancel_reminders(about)

    rows = dict(Notification.objects.about(about).values_list("template", "status"))
    assert rows == {"appointment-reminder": "cancelled", "appointment-cancelled": "pending"}
    assert notice[0].idempotency_key.startswith(outbox.IMMEDIATE)


def test_notify_now_is_once_only_per_key(world):
    about = world.project
    first = outbox.notify_now(template="coordinator-alert", about=about, key="k", project=about, users=[world.coordinator])
    again = outbox.notify_now(template="coordinator-alert", about=about, key="k", project=about, users=[world.coordinator])
    assert len(first) == 1 and again == []
