"""Supervisors, psychotherapists and trainers, held once per installation."""

import pytest
from django.urls import reverse

from wellbeing.models import Provider

pytestmark = pytest.mark.django_db


def url(world):
    return reverse("wellbeing:providers", kwargs={"slug": world.project.slug})


def test_coordinator_adds_a_supervisor_linked_to_their_account(world, client_for):
    data = {"name": "Dr Hale", "kind": "supervisor", "contact": "hale@example.org", "user": world.supervisor.pk}
    assert client_for(world.coordinator).post(url(world), data).status_code == 302
    assert Provider.objects.get().user == world.supervisor


def test_only_supervisors_of_this_project_can_be_linked(world, client_for):
    client = client_for(world.coordinator)
    data = {"name": "Therapist", "kind": "psychotherapist", "contact": "", "user": world.supervisor.pk}
    assert "Only supervisors are linked to an account." in client.post(url(world), data).content.decode()
    data = {"name": "Dr B", "kind": "supervisor", "contact": "", "user": world.outsiders["supervisor"].pk}
    assert "Select a valid choice" in client.post(url(world), data).content.decode()
    response = client.post(url(world), {"name": "", "kind": "supervisor"})
    assert "There is a problem" in response.content.decode()
    assert not Provider.objects.exists()


def test_providers_page_is_for_coordinators(world, client_for):
    for role in ["peer_researcher", "analyst", "supervisor"]:
        assert client_for(world.members[role]).post(url(world), {"name": "X", "kind": "trainer"}).status_code == 403
    assert not Provider.objects.exists()
