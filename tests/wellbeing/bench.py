"""Support pages for `make bench` (see tests/bench.py)."""

from django.urls import reverse
from django.utils import timezone

from tests.bench import Page
from tests.wellbeing.factories import alert, session
from wellbeing.models import CheckIn, Reflection, SessionRequest


def _url(world, name):
    return reverse(name, kwargs={"slug": world.project.slug})


def coordinator_support(world, n):
    for _ in range(n):
        alert(world.project, world.peer)
        SessionRequest.objects.create(project=world.project, requested_by=world.peer, kind="debrief")
        session(world.project, [world.peer, world.second_peer], booked_by=world.coordinator, kind="supervision_group")
    return _url(world, "wellbeing:home"), world.coordinator


def session_list(world, n):
    for _ in range(n):
        session(world.project, [world.peer, world.second_peer], booked_by=world.coordinator, kind="supervision_group")
    return _url(world, "wellbeing:session_list"), world.coordinator


def report(world, n):
    for _ in range(n):
        session(world.project, [world.peer], booked_by=world.coordinator)
        CheckIn.objects.create(project=world.project, person=world.peer, completed_at=timezone.now(), score=6)
    return _url(world, "wellbeing:report"), world.coordinator


def reflections(world, n):
    Reflection.objects.bulk_create([Reflection(project=world.project, author=world.peer, text="An entry") for _ in range(n)])
    return _url(world, "wellbeing:reflections"), world.peer


PAGES = [
    Page("support: coordinator overview", coordinator_support),
    Page("support: sessions", session_list),
    Page("support: summary report", report),
    Page("support: my reflections", reflections),
]
