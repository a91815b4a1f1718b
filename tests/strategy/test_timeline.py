"""The timeline: dated updates that apply a new status and progress, in one transaction, audited."""

from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from coproduction.models import ActionStatus, ActionUpdate, AuditEvent
from coproduction.strategy import actions
from tests.strategy.factories import make_action, status_for

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(timezone.datetime(2026, 6, 10, 12, 0))


def _url(world, name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": world.project.slug, **kwargs})


@time_machine.travel(NOW, tick=False)
def test_an_update_changes_status_progress_and_last_update_together(world, client_for):
    action = make_action(world.project)
    in_progress = status_for(world.project, ActionStatus.Stage.IN_PROGRESS)
    data = {"on": "2026-06-09", "text": "The first hub opened.", "new_status": in_progress.pk, "new_progress": ""}
    response = client_for(world.coordinator).post(_url(world, "update", pk=action.pk), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress, action.last_update_at) == (in_progress, 50, NOW)
    update = ActionUpdate.objects.get()
    assert (update.on.isoformat(), update.text, update.author) == ("2026-06-09", "The first hub opened.", world.coordinator)
    audited = list(
        AuditEvent.objects.filter(action__in=["action.update_posted", "action.status_changed"]).values_list(
            "action", "object_type"
        )
    )
    assert sorted(audited) == [
        ("action.status_changed", "coproduction.action"),
        ("action.update_posted", "coproduction.actionupdate"),
    ]
    page = client_for(world.peer).get(_url(world, "action", pk=action.pk))
    assert "The first hub opened." in page.text and "9 June 2026" in page.text


@time_machine.travel(NOW, tick=False)
def test_an_update_with_only_text_or_only_progress(world, client_for):
    action = make_action(world.project, stage=ActionStatus.Stage.IN_PROGRESS)
    client = client_for(world.coordinator)
    client.post(_url(world, "update", pk=action.pk), {"on": "2026-06-10", "text": "On track."})
    action.refresh_from_db()
    assert action.progress == 50 and action.last_update_at == NOW
    client.post(_url(world, "update", pk=action.pk), {"on": "2026-06-10", "text": "Two hubs open.", "new_progress": "75"})
    action.refresh_from_db()
    assert action.progress == 75 and action.status.stage == ActionStatus.Stage.IN_PROGRESS
    assert not AuditEvent.objects.filter(action="action.status_changed").exists()
    assert AuditEvent.objects.filter(action="action.update_posted").count() == 2


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"new_progress": "101"}, "new_progress", "from 0 to 100"),
        ({"new_progress": "-5"}, "new_progress", "from 0 to 100"),
        ({"text": ""}, "text", "Say what happened."),
        ({"on": "2026-06-11"}, "on", "cannot be in the future"),
        ({"on": "1999-01-01"}, "on", "Enter a date between"),
        ({"new_status": "424242"}, "new_status", "Choose an agreed, in progress or done status"),
        ({"new_status": "proposed"}, "new_status", "Choose an agreed, in progress or done status"),
        ({"new_status": "elsewhere"}, "new_status", "Choose an agreed, in progress or done status"),
    ],
)
def test_bad_updates_are_refused_and_nothing_changes(world, client_for, change, field, message):
    action = make_action(world.project)
    if change.get("new_status") == "proposed":
        change["new_status"] = status_for(world.project, ActionStatus.Stage.PROPOSED).pk
    if change.get("new_status") == "elsewhere":
        change["new_status"] = status_for(world.other_project).pk
    data = {"on": "2026-06-10", "text": "Typed words", "new_status": "", "new_progress": "", **change}
    response = client_for(world.coordinator).post(_url(world, "update", pk=action.pk), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    if field != "text":
        assert "Typed words" in response.text
    action.refresh_from_db()
    assert not ActionUpdate.objects.exists() and action.last_update_at is None and action.progress == 10


def test_the_lead_posts_updates_other_peer_researchers_do_not(world, client_for):
    action = make_action(world.project, lead=world.peer)
    data = {"on": timezone.localdate().isoformat(), "text": "Met the partners."}
    assert client_for(world.second_peer).post(_url(world, "update", pk=action.pk), data).status_code == 403
    assert client_for(world.analyst).post(_url(world, "update", pk=action.pk), data).status_code == 403
    assert not ActionUpdate.objects.exists()
    assert client_for(world.peer).post(_url(world, "update", pk=action.pk), data).status_code == 302
    assert ActionUpdate.objects.get().author == world.peer


def test_no_updates_on_proposals(world, client_for):
    proposal = make_action(world.project, stage=ActionStatus.Stage.PROPOSED)
    response = client_for(world.coordinator).post(_url(world, "update", pk=proposal.pk), {"on": "2026-01-01", "text": "x"})
    assert response.status_code == 302 and not ActionUpdate.objects.exists()


def test_a_failure_applying_an_update_saves_none_of_it(world, monkeypatch):
    action = make_action(world.project)
    done = status_for(world.project, ActionStatus.Stage.DONE)

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(actions, "sync_action_reminders", broken)
    values = actions.UpdateFields(timezone.localdate() - timedelta(days=1), "Finished.", done, None)
    with pytest.raises(DatabaseError):
        actions.post_update(action, values, by=world.coordinator)
    action.refresh_from_db()
    assert (
        not ActionUpdate.objects.exists() and action.status.stage == ActionStatus.Stage.AGREED and action.last_update_at is None
    )
    assert not AuditEvent.objects.filter(action__startswith="action.").exists()


def test_the_timeline_and_comments_are_shown_a_page_at_a_time(world, client_for):
    from django.urls import reverse

    from coproduction.models import ActionComment, ActionUpdate
    from coproduction.strategy.views import COMMENTS_PER_PAGE, UPDATES_PER_PAGE
    from tests.strategy.factories import make_action

    action = make_action(world.project, "Three outreach hubs")
    for n in range(UPDATES_PER_PAGE + 3):
        ActionUpdate.objects.create(
            action=action, on=f"2026-01-{n + 1:02d}", text=f"Update number {n}.", author=world.coordinator
        )
    for n in range(COMMENTS_PER_PAGE + 2):
        ActionComment.objects.create(action=action, author=world.peer, text=f"Comment number {n}.")
    address = reverse("strategy:action", kwargs={"slug": world.project.slug, "pk": action.pk})
    first = client_for(world.coordinator).get(address).content.decode()
    assert "Update number 22." in first and "Update number 0." not in first and "Older updates" in first
    assert "Comment number 0." in first and f"Comment number {COMMENTS_PER_PAGE + 1}." not in first
    older = client_for(world.coordinator).get(address + "?updates=2").content.decode()
    assert "Update number 0." in older and "Update number 22." not in older
    later = client_for(world.coordinator).get(address + "?comments=2").content.decode()
    assert f"Comment number {COMMENTS_PER_PAGE + 1}." in later
    # A page number that is not one shows the nearest page, not an error.
    assert client_for(world.coordinator).get(address + "?updates=99&comments=x").status_code == 200
