"""Coordinators manage members; everyone gets a project switcher and a dashboard by role."""

import pytest
from django.urls import reverse

from coproduction.models import AuditEvent, Membership, Role
from tests.factories import UserFactory


def members_url(project):
    return reverse("coproduction:members", args=[project.slug])


def change_url(membership):
    return reverse("coproduction:member_change", args=[membership.project.slug, membership.pk])


def test_coordinator_sees_the_members_and_their_roles(client_for, world):
    page = client_for(world.coordinator).get(members_url(world.project)).content.decode()
    for person in [world.peer, world.analyst, world.supervisor, world.second_peer]:
        assert person.display_name in page
    for outsider in world.outsiders.values():
        assert outsider.display_name not in page


def test_coordinator_changes_a_role_and_it_is_audited(client_for, world):
    membership = world.project.memberships.get(user=world.peer)
    response = client_for(world.coordinator).post(change_url(membership), {"role": Role.ANALYST})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ANALYST
    assert AuditEvent.objects.filter(action="membership.role_changed", object_id=str(membership.pk)).exists()


def test_an_unknown_role_is_refused_with_a_message(client_for, world):
    membership = world.project.memberships.get(user=world.peer)
    response = client_for(world.coordinator).post(change_url(membership), {"role": "owner"}, follow=True)
    assert "Choose a role from the list." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.PEER_RESEARCHER


def test_the_last_coordinator_cannot_step_down_or_be_removed(client_for, world):
    membership = world.project.memberships.get(user=world.coordinator)
    client = client_for(world.coordinator)
    page = client.post(change_url(membership), {"role": Role.ANALYST}, follow=True).content.decode()
    assert "A project needs at least one coordinator." in page
    page = client.post(change_url(membership), {"remove": "1"}, follow=True).content.decode()
    assert "A project needs at least one coordinator." in page
    assert Membership.objects.get(pk=membership.pk).role == Role.COORDINATOR


def test_coordinator_removes_a_member(client_for, world):
    membership = world.project.memberships.get(user=world.second_peer)
    client_for(world.coordinator).post(change_url(membership), {"remove": "1"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.removed", object_id=str(membership.pk)).exists()


def test_another_projects_membership_is_not_found(client_for, world):
    theirs = world.other_project.memberships.get(user=world.outsiders[Role.PEER_RESEARCHER])
    response = client_for(world.coordinator).post(
        reverse("coproduction:member_change", args=[world.project.slug, theirs.pk]), {"role": Role.ANALYST}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.PEER_RESEARCHER


@pytest.mark.parametrize("who", ["peer", "analyst", "supervisor"])
def test_other_roles_cannot_change_members(client_for, world, who):
    membership = world.project.memberships.get(user=world.second_peer)
    response = client_for(getattr(world, who)).post(change_url(membership), {"role": Role.COORDINATOR})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.PEER_RESEARCHER


def test_a_removed_member_can_no_longer_open_the_project(client_for, world):
    membership = world.project.memberships.get(user=world.second_peer)
    membership.delete()
    response = client_for(world.second_peer).get(reverse("coproduction:dashboard", args=[world.project.slug]))
    assert response.status_code == 404


def test_the_switcher_lists_each_project_with_its_role(client_for, world):
    person = world.outsiders[Role.ANALYST]
    world.project.memberships.create(user=person, role=Role.PEER_RESEARCHER)
    response = client_for(person).get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Riverside" in page and "Elsewhere" in page
    assert "Peer researcher" in page and "Analyst" in page


def test_one_project_goes_straight_to_its_dashboard(client_for, world):
    response = client_for(world.peer).get(reverse("home"))
    assert response["Location"] == reverse("coproduction:dashboard", args=[world.project.slug])


def test_someone_with_no_project_is_told_how_to_join(client_for, db):
    page = client_for(UserFactory()).get(reverse("home")).content.decode()
    assert "A coordinator can invite you." in page


def test_the_coordinator_dashboard_shows_pending_invitations(client_for, world):
    client = client_for(world.coordinator)
    client.post(members_url(world.project), {"email": "waiting@example.org", "role": Role.ANALYST})
    page = client.get(reverse("coproduction:dashboard", args=[world.project.slug])).content.decode()
    assert "waiting@example.org" in page
    peer_page = client_for(world.peer).get(reverse("coproduction:dashboard", args=[world.project.slug])).content.decode()
    assert "waiting@example.org" not in peer_page


def test_navigation_follows_the_role(client_for, world):
    coordinator_page = client_for(world.coordinator).get(reverse("coproduction:dashboard", args=[world.project.slug]))
    assert members_url(world.project) in coordinator_page.content.decode()
    analyst_page = client_for(world.analyst).get(reverse("coproduction:dashboard", args=[world.project.slug]))
    assert members_url(world.project) not in analyst_page.content.decode()


def test_the_members_page_costs_the_same_queries_for_more_members(client_for, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.coordinator)
    url = members_url(world.project)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        world.project.memberships.create(user=UserFactory(), role=Role.PEER_RESEARCHER)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert "People in this project (35)" in page


def test_the_dashboard_offers_an_authenticator_app_to_those_without_one(client_for, world):
    url = reverse("coproduction:dashboard", args=[world.project.slug])
    assert "Protect your account" in client_for(world.peer).get(url).content.decode()
    assert "Protect your account" not in client_for(world.coordinator).get(url).content.decode()
