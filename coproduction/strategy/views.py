"""The action plan's pages. Coordinators run the strategy (settings, priorities, owners,
statuses), create and change actions, decide on proposals and post updates; peer researchers
read the plan, propose actions and comment; analysts read everything and link themes; an
action's lead posts its updates. Supervisors see none of it (403)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction import publishable
from coproduction.access import get_scoped, project_view
from coproduction.models import Action, ActionStatus, Role
from coproduction.strategy import actions
from coproduction.strategy.evidence import evidence_context
from coproduction.strategy.forms import (
    ActionForm,
    AgreeForm,
    CommentForm,
    DeclineForm,
    KeepFindingForm,
    MergeForm,
    OrganisationForm,
    PlanFilterForm,
    PriorityForm,
    ProposalForm,
    StatusForm,
    StrategySettingsForm,
    ThemesForm,
    UpdateForm,
)
from coproduction.strategy.plan import build_tree, filtered, needs_update, plan_actions

COORDINATOR = {Role.COORDINATOR}
READERS = {Role.COORDINATOR, Role.PEER_RESEARCHER, Role.ANALYST}
PROPOSERS = {Role.PEER_RESEARCHER}
COMMENTERS = {Role.COORDINATOR, Role.PEER_RESEARCHER}
THEME_LINKERS = {Role.COORDINATOR, Role.ANALYST}
TOP_LEVEL_PER_PAGE = 20


def _run(request, form, save: Callable[[], object], message: Callable[[object], str], then: Callable[[object], str]):
    """For a valid posted form: run `save` and redirect to `then(result)`; None when there is
    nothing to save yet or it was refused (the problems are then on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save()
    except actions.StrategyRefused as refused:
        for field, problems in refused.problems.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return None
    messages.success(request, message(result))
    return redirect(then(result))


def _refusable(request, change: Callable[[], object], success: str) -> None:
    """Run a button's change; its refusal becomes an error message on the page it returns to."""
    try:
        change()
    except actions.StrategyRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, success)


UPDATES_PER_PAGE = 20
COMMENTS_PER_PAGE = 30


def _url(name: str, project, **kwargs) -> str:
    return reverse(f"strategy:{name}", kwargs={"slug": project.slug, **kwargs})


def _actions(project):
    return Action.objects.filter(project=project).select_related("project", "status", "priority", "organisation", "lead")


def _action(project, pk) -> Action:
    return get_scoped(_actions(project), pk=pk)


# ---------------------------------------------------------------- the plan


@project_view(READERS)
@require_GET
def plan(request, project):
    strategy = actions.ensure_strategy(project)
    filters = PlanFilterForm(request.GET or None, project=project, strategy=strategy)
    roots, _ = build_tree(plan_actions(project))
    shown = filtered(roots, filters.plan_filter())
    page = Paginator(shown, TOP_LEVEL_PER_PAGE).get_page(request.GET.get("page"))
    priorities = list(strategy.priorities.all())
    by_priority = [(priority, [node for node in page if node.action.priority_id == priority.pk]) for priority in priorities]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "strategy/plan.html",
        {
            "project": project,
            "strategy": strategy,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "by_priority": [(priority, nodes) for priority, nodes in by_priority if nodes],
            "priorities": priorities,
            "is_coordinator": request.membership.role == Role.COORDINATOR,
            "may_propose": request.membership.role in PROPOSERS,
        },
    )


# ---------------------------------------------------------------- the strategy's settings and lists


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def strategy_settings(request, project):
    strategy = actions.ensure_strategy(project)
    initial = {name: getattr(strategy, name) for name in ("title", "status", "adopted_on", "update_after_days")}
    form = StrategySettingsForm(request.POST or None, initial=initial)
    done = _run(
        request,
        form,
        lambda: actions.save_strategy_settings(strategy, **form.cleaned_data, by=request.user),
        lambda s: "The strategy's settings are saved.",
        lambda s: _url("settings", project),
    )
    return done or render(request, "strategy/settings.html", {"project": project, "strategy": strategy, "form": form})


def _priorities(project):
    return actions.ensure_strategy(project).priorities.all()


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def priorities(request, project):
    strategy = actions.ensure_strategy(project)
    form = PriorityForm(request.POST or None)
    done = _run(
        request,
        form,
        lambda: actions.add_priority(strategy, **form.cleaned_data, by=request.user),
        lambda p: f"“{p.title}” added.",
        lambda p: _url("priorities", project),
    )
    return done or render(
        request, "strategy/priorities.html", {"project": project, "priorities": strategy.priorities.all(), "form": form}
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def priority_change(request, project, pk):
    priority = get_scoped(_priorities(project), pk=pk)
    form = PriorityForm(request.POST or None, initial={"title": priority.title, "description": priority.description})
    done = _run(
        request,
        form,
        lambda: actions.change_priority(priority, **form.cleaned_data, by=request.user),
        lambda p: f"“{p.title}” saved.",
        lambda p: _url("priorities", project),
    )
    return done or render(request, "strategy/priority_form.html", {"project": project, "priority": priority, "form": form})


@project_view(COORDINATOR)
@require_POST
def priority_move(request, project, pk):
    priority = get_scoped(_priorities(project), pk=pk)
    actions.move_priority(priority, up=request.POST.get("direction") != "down", by=request.user)
    messages.success(request, f"“{priority.title}” moved.")
    return redirect(_url("priorities", project))


@project_view(COORDINATOR)
@require_POST
def priority_remove(request, project, pk):
    priority = get_scoped(_priorities(project), pk=pk)
    _refusable(request, lambda: actions.remove_priority(priority, by=request.user), f"“{priority.title}” removed.")
    return redirect(_url("priorities", project))


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def owners(request, project):
    form = OrganisationForm(request.POST or None)
    done = _run(
        request,
        form,
        lambda: actions.add_organisation(project, name=form.cleaned_data["name"], by=request.user),
        lambda o: f"{o.name} added.",
        lambda o: _url("owners", project),
    )
    return done or render(
        request, "strategy/owners.html", {"project": project, "organisations": project.organisations.all(), "form": form}
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def owner_change(request, project, pk):
    organisation = get_scoped(project.organisations.all(), pk=pk)
    form = OrganisationForm(request.POST or None, initial={"name": organisation.name})
    done = _run(
        request,
        form,
        lambda: actions.rename_organisation(organisation, name=form.cleaned_data["name"], by=request.user),
        lambda o: f"Renamed {o.name}.",
        lambda o: _url("owners", project),
    )
    return done or render(request, "strategy/owner_form.html", {"project": project, "organisation": organisation, "form": form})


@project_view(COORDINATOR)
@require_POST
def owner_remove(request, project, pk):
    organisation = get_scoped(project.organisations.all(), pk=pk)
    _refusable(request, lambda: actions.remove_organisation(organisation, by=request.user), f"{organisation.name} removed.")
    return redirect(_url("owners", project))


def _statuses(project):
    actions.ensure_strategy(project)
    return ActionStatus.objects.filter(project=project)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def statuses(request, project):
    rows = _statuses(project)
    form = StatusForm(request.POST or None, project=project)
    done = _run(
        request,
        form,
        lambda: actions.add_status(project, form.values(), by=request.user),
        lambda s: f"“{s.name}” added.",
        lambda s: _url("statuses", project),
    )
    return done or render(request, "strategy/statuses.html", {"project": project, "statuses": rows, "form": form})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def status_change(request, project, pk):
    status = get_scoped(_statuses(project), pk=pk)
    initial = {name: getattr(status, name) for name in ("name", "stage", "default_progress", "order")}
    form = StatusForm(request.POST or None, project=project, status=status, initial=initial)
    done = _run(
        request,
        form,
        lambda: actions.change_status(status, form.values(), by=request.user),
        lambda s: f"“{s.name}” saved.",
        lambda s: _url("statuses", project),
    )
    return done or render(request, "strategy/status_form.html", {"project": project, "status": status, "form": form})


@project_view(COORDINATOR)
@require_POST
def status_remove(request, project, pk):
    status = get_scoped(_statuses(project), pk=pk)
    _refusable(request, lambda: actions.remove_status(status, by=request.user), f"“{status.name}” removed.")
    return redirect(_url("statuses", project))


# ---------------------------------------------------------------- actions


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def action_new(request, project):
    strategy = actions.ensure_strategy(project)
    initial = {}
    parent = request.GET.get("parent", "")
    if parent.isdigit():
        found = Action.objects.current().filter(project=project, pk=int(parent)).first()
        if found is not None:
            initial = {"parent": found.pk, "priority": found.priority_id}
    form = ActionForm(request.POST or None, project=project, initial=initial)
    done = _run(
        request,
        form,
        lambda: actions.create_action(project, form.values(), by=request.user),
        lambda a: f"“{a.title}” added to the action plan.",
        lambda a: _url("action", project, pk=a.pk),
    )
    return done or render(request, "strategy/action_form.html", {"project": project, "strategy": strategy, "form": form})


@project_view(PROPOSERS)
@require_http_methods(["GET", "POST"])
def action_propose(request, project):
    form = ProposalForm(request.POST or None, project=project)
    done = _run(
        request,
        form,
        lambda: actions.propose_action(project, **form.cleaned_data, by=request.user),
        lambda a: "Your proposal is saved. The coordinators will agree, merge or decline it, and you can follow it here.",
        lambda a: _url("action", project, pk=a.pk),
    )
    return done or render(request, "strategy/propose.html", {"project": project, "form": form})


def _findings(project, action, updates):
    """(findings, scan_error) for the coordinators' view of the action."""
    try:
        found = publishable.unresolved(project, actions.publishable_texts(action, updates))
    except publishable.ScanUnavailable as unavailable:
        return [], unavailable.message
    return found, ""


def action_page(request, project, action: Action, **extra) -> HttpResponse:
    """The action page, also shown again with a refused form (`extra` holds it)."""
    role = request.membership.role
    _, nodes = build_tree(plan_actions(project))
    node = nodes[action.pk]
    updates = list(action.updates.select_related("new_status", "author"))
    # Coordinators see the findings of every update; the timeline and comments are shown a
    # page at a time, newest updates first and comments in order.
    findings, scan_error = _findings(project, action, updates) if role == Role.COORDINATOR else ([], "")
    updates_page = Paginator(updates, UPDATES_PER_PAGE).get_page(request.GET.get("updates"))
    comments_page = Paginator(action.comments.select_related("author"), COMMENTS_PER_PAGE).get_page(request.GET.get("comments"))
    keep_form = extra.pop("keep_form", None)
    context = {
        "project": project,
        "action": action,
        "node": node,
        "ancestors": _ancestors(node.action, nodes),
        "updates": updates_page,
        "comments": comments_page,
        "themes": action.themes.order_by("name"),
        "is_coordinator": role == Role.COORDINATOR,
        "may_comment": role in COMMENTERS and actions.may_comment(action),
        "may_link_themes": role in THEME_LINKERS,
        "may_post_update": actions.may_post_update(action, request.user, role),
        "is_proposal": action.status.stage == ActionStatus.Stage.PROPOSED,
        "needs_update": needs_update(action, actions.ensure_strategy(project).update_after_days),
        "findings": [(item, keep_form if keep_form and keep_form.data.get("finding") == item.id else None) for item in findings],
        "scan_error": scan_error,
        "comment_form": extra.pop("comment_form", None) or CommentForm(),
        # "Why we are doing this": peer researchers, and anyone asking to see it as it would be
        # published, get small counts hidden; coordinators and analysts may see them all.
        **evidence_context(action, publication=role == Role.PEER_RESEARCHER or request.GET.get("for") == "publication"),
        **extra,
    }
    return render(request, "strategy/action_detail.html", context)


def _ancestors(action: Action, nodes) -> list[Action]:
    chain = []
    parent = nodes.get(action.parent_id)
    while parent is not None and len(chain) < 50:
        chain.insert(0, parent.action)
        parent = nodes.get(parent.action.parent_id)
    return chain


@project_view(READERS)
@require_GET
def action_detail(request, project, pk):
    action = _action(project, pk)
    if action.merged_into_id:
        messages.info(request, f"“{action.title}” was merged into this action.")
        return redirect(_url("action", project, pk=action.merged_into_id))
    return action_page(request, project, action)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def action_change(request, project, pk):
    action = get_scoped(_actions(project).current(), pk=pk)
    form = ActionForm(request.POST or None, project=project, action=action)
    done = _run(
        request,
        form,
        lambda: actions.change_action(action, form.values(), by=request.user),
        lambda a: f"“{a.title}” saved.",
        lambda a: _url("action", project, pk=a.pk),
    )
    return done or render(request, "strategy/action_form.html", {"project": project, "form": form, "action": action})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def action_decide(request, project, pk):
    """Agree a proposal (choosing its status), merge it into another action, or decline it with
    a published reason."""
    action = get_scoped(_actions(project).current(), pk=pk)
    if action.status.stage != ActionStatus.Stage.PROPOSED:
        messages.info(request, "This action is no longer a proposal: it has been decided.")
        return redirect(_url("action", project, pk=action.pk))
    decision = request.POST.get("decision", "") if request.method == "POST" else ""
    posted = request.POST if request.method == "POST" else None
    forms = {
        "agree": AgreeForm(posted if decision == "agree" else None, project=project),
        "merge": MergeForm(posted if decision == "merge" else None, action=action),
        "decline": DeclineForm(posted if decision == "decline" else None, project=project),
    }
    if request.method == "POST" and decision not in forms:
        messages.error(request, "Choose to agree, merge or decline the proposal.")
    elif request.method == "POST":
        form = forms[decision]
        workflows = {
            "agree": lambda: actions.agree_action(action, status=form.cleaned_data["status"], by=request.user),
            "merge": lambda: actions.merge_action(action, into=form.cleaned_data["into"], by=request.user),
            "decline": lambda: actions.decline_action(action, **form.cleaned_data, by=request.user),
        }
        said = {
            "agree": lambda a: f"“{a.title}” is agreed.",
            "merge": lambda a: f"The proposal is merged into “{a.title}”.",
            "decline": lambda a: f"“{a.title}” is not taken forward. The reason will be published with it.",
        }
        done = _run(request, form, workflows[decision], said[decision], lambda a: _url("action", project, pk=a.pk))
        if done:
            return done
    return render(
        request,
        "strategy/decide.html",
        {"project": project, "action": action, "form": forms.get(decision), **{f"{k}_form": f for k, f in forms.items()}},
    )


@project_view(COMMENTERS)
@require_POST
def action_comment(request, project, pk):
    action = get_scoped(_actions(project).current(), pk=pk)
    form = CommentForm(request.POST)
    done = _run(
        request,
        form,
        lambda: actions.comment_on_action(action, text=form.cleaned_data["text"], by=request.user),
        lambda c: "Your comment is added.",
        lambda c: _url("action", project, pk=action.pk) + "#comments",
    )
    return done or action_page(request, project, action, comment_form=form, form=form)


@project_view(THEME_LINKERS)
@require_http_methods(["GET", "POST"])
def action_themes(request, project, pk):
    action = get_scoped(_actions(project).current(), pk=pk)
    # Not `request.POST or None`: unticking every box posts nothing, and that is a choice.
    form = ThemesForm(request.POST if request.method == "POST" else None, action=action)
    done = _run(
        request,
        form,
        lambda: actions.set_themes(action, form.cleaned_data["themes"], by=request.user),
        lambda a: "The linked themes are saved.",
        lambda a: _url("action", project, pk=a.pk),
    )
    return done or render(request, "strategy/themes.html", {"project": project, "action": action, "form": form})


@project_view(READERS)
@require_http_methods(["GET", "POST"])
def action_update(request, project, pk):
    action = get_scoped(_actions(project).current(), pk=pk)
    if not actions.may_post_update(action, request.user, request.membership.role):
        if request.membership.role == Role.COORDINATOR:
            messages.info(request, "Updates are posted on agreed actions only.")
            return redirect(_url("action", project, pk=action.pk))
        raise PermissionDenied
    form = UpdateForm(request.POST or None, action=action)
    done = _run(
        request,
        form,
        lambda: actions.post_update(action, form.values(), by=request.user),
        lambda u: "The update is posted.",
        lambda u: _url("action", project, pk=action.pk) + "#timeline",
    )
    return done or render(request, "strategy/update_form.html", {"project": project, "action": action, "form": form})


@project_view(COORDINATOR)
@require_POST
def action_keep(request, project, pk):
    """Keep a possible piece of personal information in the action's published text, with a reason."""
    action = get_scoped(_actions(project).current(), pk=pk)
    form = KeepFindingForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            actions.keep_finding(action, finding_id=data["finding"], reason=data["reason"], by=request.user)
        except publishable.DismissRefused as refused:
            form.add_error("reason", refused.message)
        except publishable.ScanUnavailable as unavailable:
            form.add_error(None, unavailable.message)
        else:
            messages.success(request, "Kept, with your reason. It no longer blocks publication.")
            return redirect(_url("action", project, pk=action.pk) + "#findings")
    return action_page(request, project, action, keep_form=form, form=form)
