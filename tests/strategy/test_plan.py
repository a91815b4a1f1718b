"""The action plan: actions by priority, as a tree of sub-actions, with filters."""

import pytest
from django.urls import reverse

from coproduction.models import ActionStatus
from tests.strategy.factories import make_action, owner_for, priority_for, status_for

pytestmark = pytest.mark.django_db


def _get(world, client, **params):
    return client.get(reverse("strategy:plan", kwargs={"slug": world.project.slug}), params)


@pytest.fixture
def plan(world):
    streets, support = priority_for(world.project, "Safer streets"), priority_for(world.project, "Support and health")
    police = owner_for(world.project, "Police")
    hubs = make_action(world.project, "Three outreach hubs", priority=support, early=True)
    make_action(world.project, "Hub at the station", parent=hubs, organisation=police)
    make_action(world.project, "Joint approach to anti-social behaviour", priority=streets, organisation=police)
    make_action(world.project, "More lighting", priority=streets, stage=ActionStatus.Stage.PROPOSED)
    return streets, support, police


def _titles(response):
    return [node.action.title for _, nodes in response.context["by_priority"] for root in nodes for node in root.walk()]


def test_the_plan_shows_actions_by_priority_as_a_tree(world, client_for, plan):
    response = _get(world, client_for(world.peer))
    assert [priority.title for priority, _ in response.context["by_priority"]] == ["Safer streets", "Support and health"]
    assert _titles(response) == [
        "Joint approach to anti-social behaviour",
        "More lighting",
        "Three outreach hubs",
        "Hub at the station",
    ]
    assert 'aria-label="Sub-actions of Three outreach hubs"' in response.text and "Acted on early" in response.text


def test_filters(world, client_for, plan):
    streets, support, police = plan
    client = client_for(world.analyst)
    assert _titles(_get(world, client, priority=streets.pk)) == ["Joint approach to anti-social behaviour", "More lighting"]
    proposed = status_for(world.project, ActionStatus.Stage.PROPOSED)
    assert _titles(_get(world, client, status=proposed.pk)) == ["More lighting"]
    assert _titles(_get(world, client, early="yes")) == ["Three outreach hubs"]
    # A matching sub-action is shown under its parent.
    assert _titles(_get(world, client, owner=police.pk)) == [
        "Joint approach to anti-social behaviour",
        "Three outreach hubs",
        "Hub at the station",
    ]


def test_a_filter_with_another_projects_id_filters_nothing_and_fails_nothing(world, client_for, plan):
    response = _get(world, client_for(world.coordinator), priority=priority_for(world.other_project).pk, status="x")
    assert response.status_code == 200 and len(_titles(response)) == 4
