"""Dashboard panels: coordinators see actions needing an update and proposals waiting; peer
researchers see their proposals and the actions they lead."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduction.models import Action, ActionStatus
from tests.strategy.factories import make_action

pytestmark = pytest.mark.django_db


def _dashboard(world, client):
    return client.get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))


def test_the_coordinator_sees_what_needs_an_update_and_proposals_waiting(world, client_for):
    stale = make_action(world.project, "Quiet action")
    Action.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=31))
    make_action(world.project, "Fresh action")
    make_action(world.project, "Late action", due_on=timezone.localdate() - timedelta(days=1))
    make_action(world.project, "Proposal", stage=ActionStatus.Stage.PROPOSED, proposed_by=world.peer)
    response = _dashboard(world, client_for(world.coordinator))
    assert 'data-needing-update="2"' in response.text and 'data-proposals="1"' in response.text
    assert "Quiet action" in response.text and "Late action" in response.text and "Fresh action" not in response.text


def test_the_peer_researcher_sees_their_proposals_and_what_they_lead(world, client_for):
    make_action(world.project, "My idea", stage=ActionStatus.Stage.PROPOSED, proposed_by=world.peer)
    make_action(world.project, "Their idea", stage=ActionStatus.Stage.PROPOSED, proposed_by=world.second_peer)
    make_action(world.project, "I lead this", lead=world.peer)
    response = _dashboard(world, client_for(world.peer))
    assert "My idea" in response.text and "I lead this" in response.text and "Their idea" not in response.text
    theirs = _dashboard(world, client_for(world.second_peer))
    assert "Their idea" in theirs.text and "My idea" not in theirs.text and "I lead this" not in theirs.text


def test_no_panel_for_supervisors_or_analysts(world, client_for):
    make_action(world.project, "Proposal", stage=ActionStatus.Stage.PROPOSED)
    for user in (world.supervisor, world.analyst):
        assert "data-proposals" not in _dashboard(world, client_for(user)).text
