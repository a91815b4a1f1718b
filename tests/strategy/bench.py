"""Strategy pages for `make bench` (see tests/bench.py) and for the flat-query test."""

from django.urls import reverse

from coproduction.models import ActionComment, ActionStatus, ActionUpdate
from tests.bench import Page
from tests.strategy.factories import make_action, owner_for, priority_for, theme_for


def _grow_plan(world, n):
    """n top-level actions over two priorities, each with a sub-action and a sub-sub-action."""
    priorities = [priority_for(world.project, "Safer streets"), priority_for(world.project, "Support and health")]
    owner = owner_for(world.project)
    for i in range(n):
        top = make_action(world.project, f"Action {i}", priority=priorities[i % 2], organisation=owner, lead=world.peer)
        child = make_action(world.project, f"Sub-action {i}", parent=top, progress=40, early=bool(i % 3))
        make_action(world.project, f"Step {i}", parent=child, progress=80, stage=ActionStatus.Stage.IN_PROGRESS)


def plan(world, n):
    _grow_plan(world, n)
    return reverse("strategy:plan", kwargs={"slug": world.project.slug}), world.coordinator


def action_page(world, n):
    """One action with n sub-actions, updates, comments and themes (and n other actions)."""
    _grow_plan(world, n)
    action = make_action(world.project, "The one with everything", lead=world.peer)
    for i in range(n):
        make_action(world.project, f"Part {i}", parent=action, progress=i % 100)
        ActionUpdate.objects.create(action=action, on="2026-03-01", text=f"Update {i}.", author=world.coordinator)
        ActionComment.objects.create(action=action, author=world.peer, text=f"Comment {i}.")
        action.themes.add(theme_for(world.project, f"Theme {world.project.themes.count()}"))
    return reverse("strategy:action", kwargs={"slug": world.project.slug, "pk": action.pk}), world.coordinator


PAGES = [
    Page("strategy: action plan", plan),
    Page("strategy: action page", action_page),
]
