"""Workflows of the strategy and its action plan: the strategy's settings, priorities, owners and
statuses; creating, proposing, agreeing, merging and declining actions; comments, themes and the
timeline of updates; the leads' reminders; what blocks publication.

Each function that changes something runs in one transaction, audits what it did (never
content) and keeps the action's reminders in the outbox in step (`sync_action_reminders`).
Refusals are `StrategyRefused` with plain-English problems, each under the form field it is
about (None for the form as a whole), so a form can show them where the person typed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from coproduction import publishable
from coproduction.audit import record
from coproduction.models import (
    Action,
    ActionComment,
    ActionStatus,
    ActionUpdate,
    Organisation,
    Priority,
    Project,
    Role,
    Strategy,
    Theme,
    User,
)
from coproduction.models.strategy import DEFAULT_STATUSES
from coproduction.notifications import outbox
from coproduction.ordering import move_one
from coproduction.strategy.plan import DELIVERING, silent_since

# Who may lead an action: any member who sees the plan (supervisors see none of it).
LEAD_ROLES = (Role.COORDINATOR, Role.PEER_RESEARCHER, Role.ANALYST)
# A lead with no update for `update_after_days` is reminded then, and again each period, this many times.
UPDATE_REMINDERS = 3
OVERDUE_AT = time(9, 0)  # the morning after the due date, project time


class StrategyRefused(Exception):
    """The change cannot be made; `problems` maps a form field (or None) to reasons."""

    def __init__(self, problems: dict[str | None, list[str]] | str):
        if isinstance(problems, str):
            problems = {None: [problems]}
        self.problems = problems
        super().__init__("; ".join(message for messages in problems.values() for message in messages))

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.problems.values() for message in messages]


def _refuse_if(problems: dict[str | None, list[str]]) -> None:
    if any(problems.values()):
        raise StrategyRefused({key: value for key, value in problems.items() if value})


# ---------------------------------------------------------------- the strategy


@transaction.atomic
def ensure_strategy(project: Project) -> Strategy:
    """The project's strategy, created with the project's name as its title and the default
    list of statuses the first time it is asked for. Safe to call again (idempotent)."""
    strategy, created = Strategy.objects.select_for_update().get_or_create(project=project, defaults={"title": project.name})
    if created and not ActionStatus.objects.filter(project=project).exists():
        ActionStatus.objects.bulk_create(
            ActionStatus(project=project, name=name, stage=stage, default_progress=progress, order=n)
            for n, (name, stage, progress) in enumerate(DEFAULT_STATUSES)
        )
    return strategy


def settings_problems(*, status: str, adopted_on: date | None, update_after_days: int) -> dict[str | None, list[str]]:
    problems: dict[str | None, list[str]] = {"adopted_on": [], "update_after_days": []}
    if status != Strategy.Status.IN_DEVELOPMENT and adopted_on is None:
        problems["adopted_on"].append("Enter the date the strategy was adopted (needed unless it is in development).")
    if not 1 <= update_after_days <= 365:
        problems["update_after_days"].append("Enter a number of days between 1 and 365.")
    return problems


@transaction.atomic
def save_strategy_settings(
    strategy: Strategy, *, title: str, status: str, adopted_on: date | None, update_after_days: int, by: User
) -> Strategy:
    _refuse_if(settings_problems(status=status, adopted_on=adopted_on, update_after_days=update_after_days))
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    cadence_changed = strategy.update_after_days != update_after_days
    strategy.title, strategy.status, strategy.update_after_days = title, status, update_after_days
    strategy.adopted_on = adopted_on
    strategy.save(update_fields=["title", "status", "adopted_on", "update_after_days"])
    record(by, "strategy.settings_changed", strategy, project=strategy.project)
    if cadence_changed:
        for action in Action.objects.current().filter(project=strategy.project).select_related("status", "lead", "project"):
            sync_action_reminders(action, strategy=strategy)
    return strategy


# ---------------------------------------------------------------- priorities


@transaction.atomic
def add_priority(strategy: Strategy, *, title: str, description: str, by: User) -> Priority:
    last = strategy.priorities.aggregate(last=Max("order"))["last"]
    priority = Priority.objects.create(
        strategy=strategy, title=title, description=description, order=0 if last is None else last + 1
    )
    record(by, "priority.added", priority, project=strategy.project)
    return priority


@transaction.atomic
def change_priority(priority: Priority, *, title: str, description: str, by: User) -> Priority:
    priority.title, priority.description = title, description
    priority.save(update_fields=["title", "description"])
    record(by, "priority.changed", priority, project=priority.strategy.project)
    return priority


@transaction.atomic
def move_priority(priority: Priority, *, up: bool, by: User) -> Priority:
    """Swap the priority with the one before (up) or after it; the order is renumbered 0, 1, 2…"""
    move_one(Priority.objects.filter(strategy=priority.strategy_id), priority, up=up)
    record(by, "priority.moved", priority, project=priority.strategy.project)
    return priority


@transaction.atomic
def remove_priority(priority: Priority, *, by: User) -> None:
    count = priority.actions.count()
    if count:
        raise StrategyRefused(
            f"“{priority.title}” has {count} action{'s' if count != 1 else ''}. "
            "Move them to another priority first, then remove it."
        )
    record(by, "priority.removed", priority, project=priority.strategy.project)
    priority.delete()


# ---------------------------------------------------------------- owners (organisations)


def _name_taken(queryset, name: str, exclude_pk: int | None = None) -> bool:
    return queryset.filter(name__iexact=name.strip()).exclude(pk=exclude_pk).exists()


@transaction.atomic
def add_organisation(project: Project, *, name: str, by: User) -> Organisation:
    if _name_taken(Organisation.objects.filter(project=project), name):
        raise StrategyRefused({"name": [f"“{name.strip()}” is already on the list."]})
    organisation = Organisation.objects.create(project=project, name=name.strip())
    record(by, "organisation.added", organisation)
    return organisation


@transaction.atomic
def rename_organisation(organisation: Organisation, *, name: str, by: User) -> Organisation:
    if _name_taken(Organisation.objects.filter(project=organisation.project_id), name, organisation.pk):
        raise StrategyRefused({"name": [f"“{name.strip()}” is already on the list."]})
    organisation.name = name.strip()
    organisation.save(update_fields=["name"])
    record(by, "organisation.renamed", organisation)
    return organisation


@transaction.atomic
def remove_organisation(organisation: Organisation, *, by: User) -> None:
    count = organisation.actions.count()
    if count:
        raise StrategyRefused(
            f"{organisation.name} owns {count} action{'s' if count != 1 else ''}. Give them another owner first, then remove it."
        )
    record(by, "organisation.removed", organisation)
    organisation.delete()


# ---------------------------------------------------------------- statuses


@dataclass(frozen=True)
class StatusFields:
    name: str
    stage: str
    default_progress: int | None
    order: int


def status_problems(project: Project, values: StatusFields, status: ActionStatus | None = None) -> dict[str | None, list[str]]:
    problems: dict[str | None, list[str]] = {"name": [], "stage": [], "default_progress": []}
    if _name_taken(ActionStatus.objects.filter(project=project), values.name, status.pk if status else None):
        problems["name"].append(f"“{values.name.strip()}” is already a status.")
    if values.stage not in ActionStatus.Stage.values:
        problems["stage"].append("Choose one of the stages.")
    elif status is not None and status.stage != values.stage and _last_of_stage(status):
        problems["stage"].append(f"This is the only “{status.get_stage_display()}” status: add another one first.")
    if values.default_progress is not None and not 0 <= values.default_progress <= 100:
        problems["default_progress"].append("The default progress must be between 0 and 100.")
    return problems


def _last_of_stage(status: ActionStatus) -> bool:
    return not ActionStatus.objects.filter(project=status.project_id, stage=status.stage).exclude(pk=status.pk).exists()


@transaction.atomic
def add_status(project: Project, values: StatusFields, *, by: User) -> ActionStatus:
    _refuse_if(status_problems(project, values))
    status = ActionStatus.objects.create(project=project, **{**values.__dict__, "name": values.name.strip()})
    record(by, "action_status.added", status)
    return status


@transaction.atomic
def change_status(status: ActionStatus, values: StatusFields, *, by: User) -> ActionStatus:
    _refuse_if(status_problems(status.project, values, status))
    for name, value in {**values.__dict__, "name": values.name.strip()}.items():
        setattr(status, name, value)
    status.save(update_fields=["name", "stage", "default_progress", "order"])
    record(by, "action_status.changed", status)
    return status


@transaction.atomic
def remove_status(status: ActionStatus, *, by: User) -> None:
    in_use = status.actions.count() + ActionUpdate.objects.filter(new_status=status).count()
    if in_use:
        raise StrategyRefused(f"“{status.name}” is in use by actions or their updates. Change them first, then remove it.")
    if _last_of_stage(status):
        raise StrategyRefused(f"“{status.name}” is the only “{status.get_stage_display()}” status: add another one first.")
    record(by, "action_status.removed", status)
    status.delete()


def first_status(project: Project, stage: str) -> ActionStatus | None:
    return ActionStatus.objects.filter(project=project, stage=stage).order_by("order", "pk").first()


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class ActionFields:
    """What a coordinator chooses when creating or changing an action."""

    priority: Priority
    title: str
    status: ActionStatus
    parent: Action | None = None
    description: str = ""
    organisation: Organisation | None = None
    lead: User | None = None
    starts_on: date | None = None
    due_on: date | None = None
    progress: int | None = None
    reason: str = ""
    early: bool = False


def lead_choices(project: Project):
    return User.objects.filter(memberships__project=project, memberships__role__in=LEAD_ROLES, is_active=True).order_by(
        "display_name"
    )


def action_problems(project: Project, values: ActionFields, action: Action | None = None) -> dict[str | None, list[str]]:
    """Everything that refuses an action, each under its field. The form shows these; the
    workflows check them again (a form is not the only caller)."""
    problems: dict[str | None, list[str]] = {
        name: [] for name in ("priority", "parent", "status", "organisation", "lead", "due_on", "progress", "reason")
    }
    if values.priority.strategy.project_id != project.pk:
        problems["priority"].append("Choose a priority of this strategy.")
    if values.status.project_id != project.pk:
        problems["status"].append("Choose a status from this project's list.")
    if values.organisation is not None and values.organisation.project_id != project.pk:
        problems["organisation"].append("Choose an owner from this project's list.")
    if values.lead is not None and not lead_choices(project).filter(pk=values.lead.pk).exists():
        problems["lead"].append("The lead must be a member of this project.")
    parent = values.parent
    if parent is not None:
        if parent.project_id != project.pk or parent.merged_into_id is not None:
            problems["parent"].append("Choose a parent action of this project.")
        elif action is not None and action.would_cycle(parent):
            problems["parent"].append("An action cannot be a sub-action of itself or of one of its own sub-actions.")
        elif parent.priority_id != values.priority.pk:
            problems["priority"].append(f"A sub-action is under the same priority as its parent action ({parent.priority}).")
    if values.starts_on and values.due_on and values.due_on < values.starts_on:
        problems["due_on"].append("The due date must be the same as or after the start date.")
    if values.progress is not None and not 0 <= values.progress <= 100:
        problems["progress"].append("Progress must be a whole number from 0 to 100.")
    if values.status.stage == ActionStatus.Stage.NOT_TAKEN_FORWARD and not values.reason.strip():
        problems["reason"].append("Give the reason it is not taken forward: it will be published.")
    return problems


def progress_for(status: ActionStatus, progress: int | None) -> int | None:
    """The progress to store: the one chosen, or else the status's default (if it has one)."""
    return progress if progress is not None else status.default_progress


def _apply(action: Action, values: ActionFields) -> None:
    for item in fields(values):
        setattr(action, item.name, getattr(values, item.name))
    action.title, action.description, action.reason = values.title.strip(), values.description.strip(), values.reason.strip()
    action.progress = progress_for(values.status, values.progress)


def _next_order(project: Project, priority: Priority, parent: Action | None) -> int:
    last = Action.objects.filter(project=project, priority=priority, parent=parent).aggregate(last=Max("order"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def create_action(project: Project, values: ActionFields, *, by: User) -> Action:
    _refuse_if(action_problems(project, values))
    action = Action(project=project)
    _apply(action, values)
    action.order = _next_order(project, values.priority, values.parent)
    action.save()
    record(by, "action.created", action)
    sync_action_reminders(action)
    return action


def _locked(action: Action) -> Action:
    return Action.objects.select_for_update().select_related("project", "status").get(pk=action.pk)


@transaction.atomic
def change_action(action: Action, values: ActionFields, *, by: User) -> Action:
    action = _locked(action)
    if action.merged_into_id:
        raise StrategyRefused("This action was merged into another and cannot be changed.")
    _refuse_if(action_problems(action.project, values, action))
    status_before = action.status_id
    _apply(action, values)
    action.save()
    record(by, "action.changed", action)
    if action.status_id != status_before:
        record(by, "action.status_changed", action)
    sync_action_reminders(action)
    return action


# ---------------------------------------------------------------- co-production


@transaction.atomic
def propose_action(project: Project, *, priority: Priority, title: str, description: str, by: User) -> Action:
    """A peer researcher's proposal: stage "proposed", waiting for a coordinator's decision."""
    status = first_status(project, ActionStatus.Stage.PROPOSED)
    if status is None:
        raise StrategyRefused("The project has no status for proposals. Ask a coordinator to add one.")
    if priority.strategy.project_id != project.pk:
        raise StrategyRefused({"priority": ["Choose a priority of this strategy."]})
    action = Action.objects.create(
        project=project,
        priority=priority,
        title=title.strip(),
        description=description.strip(),
        status=status,
        progress=status.default_progress,
        proposed_by=by,
        order=_next_order(project, priority, None),
    )
    record(by, "action.proposed", action)
    return action


def _proposed(action: Action) -> Action:
    action = _locked(action)
    if action.merged_into_id or action.status.stage != ActionStatus.Stage.PROPOSED:
        raise StrategyRefused("This action is no longer a proposal: it has been decided.")
    return action


@transaction.atomic
def agree_action(action: Action, *, status: ActionStatus, by: User) -> Action:
    action = _proposed(action)
    if status.project_id != action.project_id or status.stage not in ActionStatus.COMMITTED:
        raise StrategyRefused({"status": ["Choose an agreed status from this project's list."]})
    action.status = status
    if status.default_progress is not None:
        action.progress = status.default_progress
    action.save(update_fields=["status", "progress"])
    record(by, "action.agreed", action)
    record(by, "action.status_changed", action)
    sync_action_reminders(action)
    return action


@transaction.atomic
def decline_action(action: Action, *, status: ActionStatus, reason: str, by: User) -> Action:
    action = _proposed(action)
    problems: dict[str | None, list[str]] = {"status": [], "reason": []}
    if status.project_id != action.project_id or status.stage != ActionStatus.Stage.NOT_TAKEN_FORWARD:
        problems["status"].append("Choose a “not taken forward” status from this project's list.")
    if not reason.strip():
        problems["reason"].append("Give the reason it is not taken forward: it will be published.")
    _refuse_if(problems)
    action.status, action.reason, action.progress = status, reason.strip(), status.default_progress
    action.save(update_fields=["status", "reason", "progress"])
    record(by, "action.declined", action)
    record(by, "action.status_changed", action)
    sync_action_reminders(action)
    return action


@transaction.atomic
def merge_action(action: Action, *, into: Action, by: User) -> Action:
    """Merge a proposal into another action: it leaves the plan, and its comments, themes and
    sub-actions go to the action it was merged into. Both are audited."""
    action = _proposed(action)
    into = Action.objects.select_for_update().get(pk=into.pk)
    if into.project_id != action.project_id or into.merged_into_id is not None or into.pk == action.pk:
        raise StrategyRefused({"into": ["Choose another action of this project to merge into."]})
    if into.would_cycle(action):  # `into` is one of the proposal's own sub-actions
        raise StrategyRefused({"into": ["An action cannot be merged into one of its own sub-actions."]})
    ActionComment.objects.filter(action=action).update(action=into)
    into.themes.add(*action.themes.all())
    Action.objects.filter(parent=action).update(parent=into)
    action.merged_into = into
    action.save(update_fields=["merged_into"])
    record(by, "action.merged", action)
    record(by, "action.merged_into", into)
    sync_action_reminders(action)
    return into


def may_comment(action: Action) -> bool:
    """Comments are the conversation about proposed and agreed actions."""
    return action.merged_into_id is None and (
        action.status.stage == ActionStatus.Stage.PROPOSED or action.status.stage in ActionStatus.COMMITTED
    )


@transaction.atomic
def comment_on_action(action: Action, *, text: str, by: User) -> ActionComment:
    action = _locked(action)
    if not may_comment(action):
        raise StrategyRefused("Comments are open on proposed and agreed actions only.")
    if not text.strip():
        raise StrategyRefused({"text": ["Write a comment."]})
    comment = ActionComment.objects.create(action=action, author=by, text=text.strip())
    record(by, "action.commented", comment, project=action.project)
    return comment


def theme_choices(project: Project, action: Action | None = None):
    """Themes that may be linked: the project's active ones, and those already linked (so they
    can be unlinked, whatever their status now)."""
    linked = Q(actions=action) if action is not None else Q(pk__in=[])
    return Theme.objects.filter(Q(project=project) & (Q(status=Theme.Status.ACTIVE) | linked)).distinct().order_by("name")


@transaction.atomic
def set_themes(action: Action, themes: Iterable[Theme], *, by: User) -> Action:
    """Link exactly `themes` (new links only to the project's active themes)."""
    action = _locked(action)
    chosen = set(themes)
    linked = set(action.themes.all())
    added = chosen - linked
    if any(theme.project_id != action.project_id or theme.status != Theme.Status.ACTIVE for theme in added):
        raise StrategyRefused({"themes": ["Link only themes that are in use in this project's codebook."]})
    removed = linked - chosen
    action.themes.add(*added)
    action.themes.remove(*removed)
    if added:
        record(by, "action.themes_linked", action)
    if removed:
        record(by, "action.themes_unlinked", action)
    return action


# ---------------------------------------------------------------- the timeline


@dataclass(frozen=True)
class UpdateFields:
    on: date
    text: str
    new_status: ActionStatus | None = None
    new_progress: int | None = None


def update_problems(action: Action, values: UpdateFields, today: date) -> dict[str | None, list[str]]:
    problems: dict[str | None, list[str]] = {"on": [], "text": [], "new_status": [], "new_progress": []}
    if values.on > today:
        problems["on"].append("The date of an update cannot be in the future.")
    if not values.text.strip():
        problems["text"].append("Say what happened.")
    status = values.new_status
    if status is not None and (status.project_id != action.project_id or status.stage not in UPDATE_STAGES):
        problems["new_status"].append("Choose an agreed, in progress or done status from this project's list.")
    if values.new_progress is not None and not 0 <= values.new_progress <= 100:
        problems["new_progress"].append("Progress must be a whole number from 0 to 100.")
    return problems


# An update reports on an agreed action; proposing and declining are decisions, not news.
UPDATE_STAGES = ActionStatus.COMMITTED


def may_post_update(action: Action, user: User, role: str) -> bool:
    """Coordinators, and the action's lead, post updates on actions being delivered or done."""
    if action.merged_into_id or action.status.stage not in ActionStatus.COMMITTED:
        return False
    return role == Role.COORDINATOR or (action.lead_id is not None and action.lead_id == user.pk)


@transaction.atomic
def post_update(action: Action, values: UpdateFields, *, by: User) -> ActionUpdate:
    """Add a dated update and apply it: the action's status and progress change with it, and it
    counts as news (`last_update_at`), all in this one transaction. The update is audited, and
    the status change as well when there is one."""
    action = _locked(action)
    if action.merged_into_id or action.status.stage not in ActionStatus.COMMITTED:
        raise StrategyRefused("Updates are posted on agreed actions only.")
    _refuse_if(update_problems(action, values, timezone.localdate(timezone.now(), action.project.tzinfo)))
    update = ActionUpdate.objects.create(
        action=action,
        on=values.on,
        text=values.text.strip(),
        new_status=values.new_status,
        new_progress=values.new_progress,
        author=by,
    )
    status_changed = values.new_status is not None and values.new_status.pk != action.status_id
    if values.new_status is not None:
        action.status = values.new_status
    if values.new_progress is not None or status_changed:
        action.progress = progress_for(action.status, values.new_progress)
    action.last_update_at = timezone.now()
    action.save(update_fields=["status", "progress", "last_update_at"])
    record(by, "action.update_posted", update, project=action.project)
    if status_changed:
        record(by, "action.status_changed", action)
    sync_action_reminders(action)
    return update


# ---------------------------------------------------------------- reminders


def action_reminders(action: Action, strategy: Strategy | None = None) -> list[outbox.Reminder]:
    """The lead of an action being delivered is reminded when it has had no update for the
    strategy's `update_after_days` (counted from the last update, or from its creation), and
    again each such period, UPDATE_REMINDERS times; and once, the morning after its due date,
    if it is not done by then. Nothing for proposals, done or declined actions, merged ones,
    or a lead who is no longer a member."""
    if action.merged_into_id or action.lead_id is None or action.status.stage not in DELIVERING:
        return []
    lead = action.lead
    if not lead.is_active or not action.project.memberships.filter(user=lead, role__in=LEAD_ROLES).exists():
        return []
    strategy = strategy or ensure_strategy(action.project)
    period = timedelta(days=strategy.update_after_days)
    since = silent_since(action)
    reminders = [
        outbox.Reminder("action-update-due", since + period * n, f"update-due-{n}", user=lead)
        for n in range(1, UPDATE_REMINDERS + 1)
    ]
    if action.due_on is not None:
        morning = datetime.combine(action.due_on + timedelta(days=1), OVERDUE_AT, tzinfo=action.project.tzinfo)
        reminders.append(outbox.Reminder("action-overdue", morning, "overdue", user=lead))
    return reminders


def sync_action_reminders(action: Action, strategy: Strategy | None = None) -> None:
    outbox.sync_reminders(action, action.project, action_reminders(action, strategy))


# ---------------------------------------------------------------- publication


def publishable_texts(action: Action, updates: Iterable[ActionUpdate] | None = None) -> list[publishable.PublishableText]:
    """The action's text that will be published: its description, its reason, its updates."""
    texts = [
        publishable.PublishableText(action, "description", "Description", action.description),
        publishable.PublishableText(action, "reason", "Reason it is not taken forward", action.reason),
    ]
    for update in action.updates.all() if updates is None else updates:
        texts.append(publishable.PublishableText(update, "text", f"Update of {update.on.day} {update.on:%b %Y}", update.text))
    return texts


def publication_blockers(action: Action) -> list[publishable.PublishableFinding]:
    """What stops the action being published: every possible piece of personal information in
    its description, reason and updates that is neither edited away nor kept with a reason.
    Raises `publishable.ScanUnavailable` when the scan cannot run (fail closed)."""
    return publishable.unresolved(action.project, publishable_texts(action))


def keep_finding(action: Action, *, finding_id: str, reason: str, by: User):
    """Keep one finding of the action's publishable text, with a reason (audited)."""
    return publishable.dismiss(action.project, publishable_texts(action), finding_id=finding_id, reason=reason, by=by)
