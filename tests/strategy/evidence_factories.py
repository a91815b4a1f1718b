"""Factories for the evidence, unanswered-themes and import/export tests: a strategy with
priorities and the default statuses, and actions at a given stage linked to themes."""

from coproduction.models import Action, ActionStatus, Priority, Project
from coproduction.strategy.actions import ensure_strategy


def strategy_with_priorities(project: Project, *titles: str):
    strategy = ensure_strategy(project)
    for order, title in enumerate(titles or ("Safer streets", "Support and health")):
        Priority.objects.get_or_create(strategy=strategy, title=title, defaults={"order": order})
    return strategy


def status(project: Project, stage: str) -> ActionStatus:
    ensure_strategy(project)
    return ActionStatus.objects.filter(project=project, stage=stage).first()


def make_action(project: Project, *, stage=ActionStatus.Stage.AGREED, themes=(), title="Better lighting", **fields) -> Action:
    strategy = strategy_with_priorities(project)
    fields.setdefault("priority", strategy.priorities.first())
    action = Action.objects.create(project=project, title=title, status=status(project, stage), **fields)
    action.themes.set(themes)
    return action
