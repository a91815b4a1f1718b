"""Support pages stay at a constant number of queries as rows grow."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import member
from tests.wellbeing.factories import alert, session
from wellbeing.models import CheckIn, Reflection, SessionRequest

pytestmark = pytest.mark.django_db


def grow(world, n):
    for _ in range(n):
        peer = member(world.project, "peer_researcher")
        alert(world.project, peer)
        SessionRequest.objects.create(project=world.project, requested_by=peer, kind="debrief")
        session(world.project, [peer], booked_by=world.coordinator)
        CheckIn.objects.create(project=world.project, person=world.peer)
        Reflection.objects.create(project=world.project, author=world.peer, text="x")
        CheckIn.objects.create(project=world.project, person=world.peer, completed_at=timezone.now(), score=5)


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("coordinator", "coproduction:dashboard"),
        ("coordinator", "wellbeing:home"),
        ("coordinator", "wellbeing:training"),
        ("coordinator", "wellbeing:report"),
        ("peer_researcher", "coproduction:dashboard"),
        ("peer_researcher", "wellbeing:home"),
        ("peer_researcher", "wellbeing:reflections"),
        ("peer_researcher", "wellbeing:check_in_list"),
        ("supervisor", "wellbeing:home"),
    ],
)
def test_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries, role, name):
    client = client_for(world.members[role])
    url = reverse(name, kwargs={"slug": world.project.slug})
    grow(world, 2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    grow(world, 15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
