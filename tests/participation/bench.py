"""Participation pages for `make bench` (see tests/bench.py)."""

from django.urls import reverse

from tests.bench import Page
from tests.participation.factories import consenting_participant


def participant_list(world, n):
    for i in range(n):
        consenting_participant(world.project, world.coordinator, cohort=["Sex worker", "Resident"][i % 2])
    return reverse("participation:list", kwargs={"slug": world.project.slug}), world.coordinator


PAGES = [
    Page("participation: participant list", participant_list),
]
