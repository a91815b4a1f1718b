"""The strategy's settings and its lists: priorities, owners (organisations) and statuses."""

from datetime import date

import pytest
from django.urls import reverse

from coproduction.models import ActionStatus, AuditEvent, Organisation, Priority, Strategy
from coproduction.models.strategy import DEFAULT_STATUSES
from coproduction.strategy.actions import ensure_strategy
from tests.strategy.factories import make_action, owner_for, priority_for, status_for

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_ensure_strategy_creates_it_once_with_the_default_statuses(world):
    strategy = ensure_strategy(world.project)
    again = ensure_strategy(world.project)
    assert strategy.pk == again.pk and strategy.title == "Riverside"
    assert strategy.status == Strategy.Status.IN_DEVELOPMENT and strategy.update_after_days == 30
    statuses = list(ActionStatus.objects.filter(project=world.project).values_list("name", "stage", "default_progress"))
    assert statuses == [tuple(row) for row in DEFAULT_STATUSES]
    assert Strategy.objects.count() == 1


def test_the_coordinator_saves_the_settings(world, client_for):
    client = client_for(world.coordinator)
    data = {"title": "Safer nights", "status": "adopted", "adopted_on": "2026-03-02", "update_after_days": "14"}
    response = client.post(_url(world, "settings"), data)
    assert response.status_code == 302
    strategy = Strategy.objects.get(project=world.project)
    assert (strategy.title, strategy.status, strategy.adopted_on, strategy.update_after_days) == (
        "Safer nights",
        "adopted",
        date(2026, 3, 2),
        14,
    )
    assert AuditEvent.objects.filter(action="strategy.settings_changed").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"status": "adopted", "adopted_on": ""}, "adopted_on", "Enter the date the strategy was adopted"),
        ({"update_after_days": "0"}, "update_after_days", "between 1 and 365"),
        ({"update_after_days": "366"}, "update_after_days", "between 1 and 365"),
        ({"adopted_on": "1999-12-31", "status": "adopted"}, "adopted_on", "Enter a date between"),
    ],
)
def test_bad_settings_are_refused_under_their_field_and_kept_as_typed(world, client_for, change, field, message):
    client = client_for(world.coordinator)
    data = {"title": "Typed title", "status": "in_development", "adopted_on": "", "update_after_days": "30", **change}
    response = client.post(_url(world, "settings"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert 'value="Typed title"' in response.text
    assert Strategy.objects.get(project=world.project).title == "Riverside"


def test_priorities_are_added_edited_and_reordered(world, client_for):
    client = client_for(world.coordinator)
    for title in ("Safer streets", "Lighting", "Support and health"):
        assert client.post(_url(world, "priorities"), {"title": title, "description": ""}).status_code == 302
    lighting = Priority.objects.get(title="Lighting")
    client.post(_url(world, "priority", pk=lighting.pk), {"title": "Infrastructure and lighting", "description": "Paths."})
    client.post(_url(world, "priority_move", pk=lighting.pk), {"direction": "up"})
    order = list(Priority.objects.order_by("order").values_list("title", flat=True))
    assert order == ["Infrastructure and lighting", "Safer streets", "Support and health"]
    client.post(_url(world, "priority_move", pk=lighting.pk), {"direction": "down"})
    client.post(_url(world, "priority_move", pk=lighting.pk), {"direction": "down"})
    assert list(Priority.objects.order_by("order").values_list("title", flat=True))[-1] == "Infrastructure and lighting"


def test_a_priority_with_actions_is_not_removed(world, client_for):
    client = client_for(world.coordinator)
    used = priority_for(world.project, "Safer streets")
    make_action(world.project, priority=used)
    unused = priority_for(world.project, "Continued engagement")
    response = client.post(_url(world, "priority_remove", pk=used.pk), follow=True)
    assert "has 1 action" in response.text and "Move them to another priority first" in response.text
    assert Priority.objects.filter(pk=used.pk).exists()
    client.post(_url(world, "priority_remove", pk=unused.pk))
    assert not Priority.objects.filter(pk=unused.pk).exists()


def test_owners_are_added_renamed_and_removed_unless_used(world, client_for):
    client = client_for(world.coordinator)
    client.post(_url(world, "owners"), {"name": "Police"})
    response = client.post(_url(world, "owners"), {"name": "police"})
    assert response.status_code == 200 and "already on the list" in response.text
    police = Organisation.objects.get(project=world.project)
    client.post(_url(world, "owner", pk=police.pk), {"name": "Metropolitan Police"})
    police.refresh_from_db()
    assert police.name == "Metropolitan Police"
    make_action(world.project, organisation=police)
    response = client.post(_url(world, "owner_remove", pk=police.pk), follow=True)
    assert "owns 1 action" in response.text and Organisation.objects.filter(pk=police.pk).exists()
    spare = owner_for(world.project, "Public health")
    client.post(_url(world, "owner_remove", pk=spare.pk))
    assert not Organisation.objects.filter(pk=spare.pk).exists()


def test_statuses_are_added_edited_and_removed_unless_in_use(world, client_for):
    client = client_for(world.coordinator)
    status_for(world.project)
    data = {"name": "Paused", "stage": "in_progress", "default_progress": "", "order": "9"}
    assert client.post(_url(world, "statuses"), data).status_code == 302
    paused = ActionStatus.objects.get(name="Paused")
    response = client.post(_url(world, "status", pk=paused.pk), {**data, "default_progress": "101"})
    assert response.status_code == 200 and "between 0 and 100" in response.text
    client.post(_url(world, "status", pk=paused.pk), {**data, "name": "On hold", "default_progress": "40"})
    paused.refresh_from_db()
    assert (paused.name, paused.default_progress) == ("On hold", 40)
    make_action(world.project, status=paused)
    response = client.post(_url(world, "status_remove", pk=paused.pk), follow=True)
    assert "is in use" in response.text and ActionStatus.objects.filter(pk=paused.pk).exists()


def test_the_only_status_of_a_stage_is_kept(world, client_for):
    client = client_for(world.coordinator)
    proposed = status_for(world.project, ActionStatus.Stage.PROPOSED)
    response = client.post(_url(world, "status_remove", pk=proposed.pk), follow=True)
    assert "the only “Proposed” status" in response.text
    assert ActionStatus.objects.filter(pk=proposed.pk).exists()


def test_a_status_name_is_unique_in_the_project(world, client_for):
    status_for(world.project)
    response = client_for(world.coordinator).post(
        _url(world, "statuses"), {"name": "done", "stage": "done", "default_progress": "100", "order": "1"}
    )
    assert response.status_code == 200 and "is already a status" in response.text
    assert ActionStatus.objects.filter(project=world.project).count() == len(DEFAULT_STATUSES)


def test_only_coordinators_run_the_lists(world, client_for):
    priority = priority_for(world.project)
    for user in (world.peer, world.analyst, world.supervisor):
        client = client_for(user)
        assert client.post(_url(world, "priority_remove", pk=priority.pk)).status_code == 403
        assert client.post(_url(world, "owners"), {"name": "Police"}).status_code == 403
    assert Priority.objects.filter(pk=priority.pk).exists() and not Organisation.objects.exists()
    other = priority_for(world.other_project)
    assert client_for(world.coordinator).post(_url(world, "priority_remove", pk=other.pk)).status_code == 404
    assert Priority.objects.filter(pk=other.pk).exists()
