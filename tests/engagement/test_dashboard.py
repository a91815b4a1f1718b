"""Dashboard panels and navigation: coordinators see events and open requests, peer
researchers their own events, analysts a link to the reach page, supervisors nothing of it."""

import pytest
from django.urls import reverse

from tests.engagement.factories import held_event, make_event, session_request

pytestmark = pytest.mark.django_db


def _dashboard(world, client_for, user):
    return client_for(user).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()


def test_each_role_sees_what_is_theirs(world, client_for):
    make_event(world.project, by=world.coordinator, facilitators=[world.peer], title="Evening at the hall")
    make_event(world.project, by=world.coordinator, facilitators=[world.second_peer], title="Someone else's")
    held_event(world)
    session_request(world.project)
    page = _dashboard(world, client_for, world.coordinator)
    assert "Evening at the hall" in page and "1 open request for an individual session" in page
    assert "1 held event without attendance recorded" in page
    assert reverse("engagement:list", kwargs={"slug": world.project.slug}) in page
    page = _dashboard(world, client_for, world.peer)
    assert "Evening at the hall" in page and "Someone else" not in page
    assert "1 event waiting for feedback counts" in page
    page = _dashboard(world, client_for, world.analyst)
    assert reverse("engagement:reach", kwargs={"slug": world.project.slug}) in page
    assert f'href="{reverse("engagement:list", kwargs={"slug": world.project.slug})}"' not in page
    page = _dashboard(world, client_for, world.supervisor)
    assert "/engagement/" not in page
