"""Arguments for the strategy URLs in the URL x role matrix (tests/access.py)."""

from coproduction.models import ActionStatus
from tests.access import Case
from tests.strategy.factories import make_action, make_indicator, monthly, owner_for, priority_for, status_for


def _action(world, **fields):
    return make_action(world.project, **fields).pk


def _proposal(world):
    return make_action(world.project, "More outreach hours", stage=ActionStatus.Stage.PROPOSED, proposed_by=world.peer).pk


def _unused_status(world):
    status_for(world.project)
    paused, _ = ActionStatus.objects.get_or_create(project=world.project, name="Paused", stage=ActionStatus.Stage.IN_PROGRESS)
    return paused.pk


def _indicator(world):
    return make_indicator(world.project).pk


def _measurement(world):
    indicator = make_indicator(world.project)
    return {"pk": indicator.pk, "measurement_pk": monthly(indicator, [40], by=world.coordinator)[0].pk}


POST_ONLY = (405,)

RULES = {
    "strategy:priority": lambda world: Case(kwargs={"pk": priority_for(world.project).pk}),
    "strategy:priority_move": lambda world: Case(kwargs={"pk": priority_for(world.project).pk}, allowed=POST_ONLY),
    "strategy:priority_remove": lambda world: Case(kwargs={"pk": priority_for(world.project).pk}, allowed=POST_ONLY),
    "strategy:owner": lambda world: Case(kwargs={"pk": owner_for(world.project).pk}),
    "strategy:owner_remove": lambda world: Case(kwargs={"pk": owner_for(world.project).pk}, allowed=POST_ONLY),
    "strategy:status": lambda world: Case(kwargs={"pk": _unused_status(world)}),
    "strategy:status_remove": lambda world: Case(kwargs={"pk": _unused_status(world)}, allowed=POST_ONLY),
    "strategy:action": lambda world: Case(kwargs={"pk": _action(world)}),
    "strategy:action_change": lambda world: Case(kwargs={"pk": _action(world)}),
    "strategy:decide": lambda world: Case(kwargs={"pk": _proposal(world)}),
    "strategy:comment": lambda world: Case(kwargs={"pk": _proposal(world)}, allowed=POST_ONLY),
    "strategy:themes": lambda world: Case(kwargs={"pk": _action(world)}),
    # The analyst neither coordinates nor leads this action: refused inside the view.
    "strategy:update": lambda world: Case(kwargs={"pk": _action(world, lead=world.peer)}, expect={"analyst": 403}),
    "strategy:keep": lambda world: Case(kwargs={"pk": _action(world)}, allowed=POST_ONLY),
    # Evidence side (coproduction/strategy/evidence_urls.py): unanswered themes for coordinators
    # and analysts; import and export for coordinators.
    "strategy:unanswered": lambda world: Case(),
    "strategy:import": lambda world: Case(),
    "strategy:import_confirm": lambda world: Case(allowed=(405,)),
    "strategy:export": lambda world: Case(),
    "strategy:overview": lambda world: Case(),
    "strategy:indicators": lambda world: Case(),
    "strategy:indicator_new": lambda world: Case(),
    "strategy:indicator": lambda world: Case(kwargs={"pk": _indicator(world)}),
    "strategy:indicator_change": lambda world: Case(kwargs={"pk": _indicator(world)}),
    "strategy:measurement_new": lambda world: Case(kwargs={"pk": _indicator(world)}),
    "strategy:measurement_import": lambda world: Case(kwargs={"pk": _indicator(world)}),
    "strategy:measurement_change": lambda world: Case(kwargs=_measurement(world)),
    "strategy:measurement_delete": lambda world: Case(kwargs=_measurement(world), allowed=(405,)),
}
