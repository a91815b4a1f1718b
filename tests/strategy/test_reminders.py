"""The leads' reminders through the outbox: no update for `update_after_days` (from the last
update, or the action's creation), again each period, and the morning after a due date passed
without "done"; resynced whenever the action changes. Time is frozen."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from coproduction.models import ActionStatus, Notification
from coproduction.notifications.digest import digest_lines
from coproduction.strategy import actions
from tests.factories import deliver_outbox
from tests.strategy.factories import make_action, status_for

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _pending(action):
    rows = Notification.objects.pending().filter(about_type="coproduction.action", about_id=str(action.pk))
    return sorted((row.template, row.due_at, row.recipient_id) for row in rows)


def _action(world, **fields):
    action = make_action(world.project, lead=world.peer, **fields)
    actions.sync_action_reminders(action)
    return action


def test_no_update_for_the_period_reminds_the_lead_each_period(world):
    with time_machine.travel(T0, tick=False):
        action = _action(world)
    assert _pending(action) == [
        ("action-update-due", T0 + timedelta(days=30), world.peer.pk),
        ("action-update-due", T0 + timedelta(days=60), world.peer.pk),
        ("action-update-due", T0 + timedelta(days=90), world.peer.pk),
    ]
    with time_machine.travel(T0 + timedelta(days=30, minutes=1), tick=False):
        assert deliver_outbox() == 1
    assert mail.outbox[0].to == [world.peer.email]
    assert mail.outbox[0].subject == "Something is waiting for an update"
    assert "Sign in for details" in mail.outbox[0].body and action.title not in mail.outbox[0].body


def test_an_update_moves_the_reminders_on(world):
    with time_machine.travel(T0, tick=False):
        action = _action(world)
    later = T0 + timedelta(days=12)
    with time_machine.travel(later, tick=False):
        values = actions.UpdateFields(date(2026, 3, 14), "Progress.", None, None)
        actions.post_update(action, values, by=world.coordinator)
    assert [due for _, due, _ in _pending(action)] == [later + timedelta(days=30 * n) for n in (1, 2, 3)]
    assert Notification.objects.filter(status=Notification.Status.CANCELLED, due_at=T0 + timedelta(days=30)).exists()


def test_the_morning_after_the_due_date_unless_done(world):
    with time_machine.travel(T0, tick=False):
        action = _action(world, due_on=date(2026, 4, 30))
        overdue = [row for row in _pending(action) if row[0] == "action-overdue"]
        # 09:00 in London on 1 May is 08:00 UTC (summer time).
        assert overdue == [("action-overdue", datetime(2026, 5, 1, 8, 0, tzinfo=UTC), world.peer.pk)]
        done = status_for(world.project, ActionStatus.Stage.DONE)
        actions.post_update(action, actions.UpdateFields(date(2026, 3, 2), "Finished early.", done, None), by=world.coordinator)
    assert _pending(action) == []
    with time_machine.travel(datetime(2026, 5, 2, tzinfo=UTC), tick=False):
        assert deliver_outbox() == 0


def test_an_overdue_reminder_is_sent_with_neutral_words(world):
    with time_machine.travel(T0, tick=False):
        _action(world, due_on=date(2026, 3, 10))
    with time_machine.travel(datetime(2026, 3, 11, 9, 1, tzinfo=UTC), tick=False):
        assert deliver_outbox() == 1
    assert mail.outbox[0].subject == "A date has passed"


@pytest.mark.parametrize(
    "fields",
    [
        {"stage": ActionStatus.Stage.PROPOSED},
        {"stage": ActionStatus.Stage.DONE},
        {"stage": ActionStatus.Stage.NOT_TAKEN_FORWARD, "reason": "x"},
    ],
)
def test_no_reminders_for_proposals_done_or_declined_actions(world, fields):
    with time_machine.travel(T0, tick=False):
        action = _action(world, due_on=date(2026, 4, 1), **fields)
    assert _pending(action) == []


def test_no_reminders_without_a_lead_or_for_a_lead_who_left(world):
    with time_machine.travel(T0, tick=False):
        action = make_action(world.project)
        actions.sync_action_reminders(action)
        assert _pending(action) == []
        led = _action(world)
        world.project.memberships.filter(user=world.peer).delete()
        actions.sync_action_reminders(led)
    assert _pending(led) == []


def test_changing_the_lead_or_the_period_resyncs(world, client_for):
    with time_machine.travel(T0, tick=False):
        action = _action(world)
        values = actions.ActionFields(
            priority=action.priority, title=action.title, status=action.status, lead=world.second_peer, progress=10
        )
        actions.change_action(action, values, by=world.coordinator)
        assert {recipient for _, _, recipient in _pending(action)} == {world.second_peer.pk}
        strategy = actions.ensure_strategy(world.project)
        actions.save_strategy_settings(
            strategy, title="Plan", status="in_development", adopted_on=None, update_after_days=7, by=world.coordinator
        )
    assert [due for _, due, _ in _pending(action)] == [T0 + timedelta(days=7 * n) for n in (1, 2, 3)]


def test_the_digest_counts_actions_needing_an_update(world):
    with time_machine.travel(T0, tick=False):
        _action(world, title="Quiet")
        _action(world, title="Late", due_on=date(2026, 3, 5))
        fresh = _action(world, title="Fresh")
        make_action(world.project, title="Proposal", stage=ActionStatus.Stage.PROPOSED)
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        actions.post_update(fresh, actions.UpdateFields(date(2026, 3, 22), "News.", None, None), by=world.coordinator)
    with time_machine.travel(T0 + timedelta(days=6), tick=False):
        lines = [line for line in digest_lines(world.project) if line.label == "Actions needing an update"]
        assert [line.count for line in lines] == [1]
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        lines = [line for line in digest_lines(world.project) if line.label == "Actions needing an update"]
        assert [line.count for line in lines] == [2], "Quiet (31 days) and Late (past due); Fresh had news on day 20"


def test_the_wording_test_covers_the_action_templates():
    from tests.reminders.test_wording import every_template

    assert {"action-update-due", "action-overdue"} <= set(every_template())
