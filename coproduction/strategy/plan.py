"""Reading the action plan: the tree of actions and sub-actions, progress rolled up, filters, and
the actions that need an update.

The whole plan of a project is read in one query and built into a tree in memory, so a page asks
the database the same number of times for 10 actions or 1,000 (tests/strategy/test_query_counts.py).

Progress roll-up (what the plan and the action page show):
- an action without sub-actions shows its own progress (set by hand, or its status's default);
- an action with sub-actions that have a progress shows the mean of those sub-actions' progress,
  each of them rolled up the same way first (so a tree of any depth), rounded to a whole number
  (halves up); sub-actions without a progress, not taken forward, or merged are left out;
- an action whose sub-actions have no progress at all shows its own.
The stored `Action.progress` is never overwritten: the roll-up is computed when shown.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DateTimeField, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from coproduction.models import Action, ActionStatus, Project

# Stages whose actions are being delivered: they need updates and have due dates to keep.
DELIVERING = (ActionStatus.Stage.AGREED, ActionStatus.Stage.IN_PROGRESS)


@dataclass
class Node:
    """An action in the tree, with its sub-actions and its rolled-up progress."""

    action: Action
    children: list["Node"] = field(default_factory=list)
    depth: int = 0
    shown_progress: int | None = None

    def walk(self) -> Iterable["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()


def plan_actions(project: Project) -> QuerySet:
    """The project's current actions (not merged), with what the plan shows about each."""
    return (
        Action.objects.current()
        .filter(project=project)
        .select_related("status", "organisation", "lead", "priority", "proposed_by")
        .order_by("priority__order", "priority_id", "order", "pk")
    )


def rolled_up(node: Node) -> int | None:
    """Set and return `node.shown_progress` (see the module docstring for the rule)."""
    counted = []
    for child in node.children:
        progress = rolled_up(child)
        if progress is not None and child.action.status.stage != ActionStatus.Stage.NOT_TAKEN_FORWARD:
            counted.append(progress)
    if counted:
        mean = Decimal(sum(counted)) / len(counted)
        node.shown_progress = int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        node.shown_progress = node.action.progress
    return node.shown_progress


def build_tree(actions: Iterable[Action]) -> tuple[list[Node], dict[int, Node]]:
    """The top-level actions as nodes (in the order given), and every node by action id. A
    sub-action whose parent is not among `actions` (merged away) is shown at the top level."""
    nodes = {action.pk: Node(action) for action in actions}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.action.parent_id)
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)

    def set_depth(node: Node, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
        rolled_up(root)
    return roots, nodes


@dataclass(frozen=True)
class PlanFilter:
    priority_id: int | None = None
    status_id: int | None = None
    organisation_id: int | None = None
    early: bool | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.priority_id, self.status_id, self.organisation_id, self.early))

    def matches(self, action: Action) -> bool:
        return (
            (self.priority_id is None or action.priority_id == self.priority_id)
            and (self.status_id is None or action.status_id == self.status_id)
            and (self.organisation_id is None or action.organisation_id == self.organisation_id)
            and (self.early is None or action.early == self.early)
        )


def filtered(roots: list[Node], plan_filter: PlanFilter) -> list[Node]:
    """The trees cut down to the actions that match and the sub-actions leading to them: a
    matching sub-action is shown under its parents, so it is never out of context."""
    if not plan_filter.active:
        return roots

    def keep(node: Node) -> Node | None:
        children = [kept for kept in (keep(child) for child in node.children) if kept is not None]
        if children or plan_filter.matches(node.action):
            return Node(node.action, children, node.depth, node.shown_progress)
        return None

    return [kept for kept in (keep(root) for root in roots) if kept is not None]


def silent_since(action: Action) -> datetime:
    """When the action last had news: its last update, or its creation."""
    return action.last_update_at or action.created_at


def needs_update(action: Action, update_after_days: int, now: datetime | None = None) -> bool:
    """A delivering action with no update for `update_after_days`, or past its due date."""
    now = now or timezone.now()
    if action.merged_into_id or action.status.stage not in DELIVERING:
        return False
    overdue = action.due_on is not None and action.due_on < timezone.localdate(now, action.project.tzinfo)
    return overdue or silent_since(action) <= now - timedelta(days=update_after_days)


def needing_update(project: Project, update_after_days: int, now: datetime | None = None) -> QuerySet:
    """The project's delivering actions with no update for `update_after_days`, or past their due date."""
    now = now or timezone.now()
    today: date = timezone.localdate(now, project.tzinfo)
    return (
        Action.objects.current()
        .filter(project=project, status__stage__in=DELIVERING)
        .annotate(news_at=Coalesce(F("last_update_at"), F("created_at"), output_field=DateTimeField()))
        .filter(Q(news_at__lte=now - timedelta(days=update_after_days)) | Q(due_on__lt=today))
    )
