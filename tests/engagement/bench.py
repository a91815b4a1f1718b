"""Engagement pages for `make bench` (see tests/bench.py) and for the flat-query test."""

from django.urls import reverse

from tests.bench import Page
from tests.engagement.factories import feedback_for, held_event, make_event


def _url(world, name):
    return reverse(name, kwargs={"slug": world.project.slug})


def event_list(world, n):
    for i in range(n):
        if i % 2:
            make_event(world.project, by=world.coordinator, facilitators=[world.peer, world.second_peer])
        else:
            feedback_for(held_event(world, attendance={"Resident": 5}), world.peer, yes=3, no=1)
    return _url(world, "engagement:list"), world.coordinator


def reach(world, n):
    for _ in range(n):
        feedback_for(held_event(world, attendance={"Resident": 5, "Sex worker": 1}), world.peer, yes=3, partly=1)
    return _url(world, "engagement:reach"), world.analyst


PAGES = [
    Page("engagement: event list", event_list),
    Page("engagement: who we have heard from", reach),
]
