"""Arguments for the strategy URLs in the URL x role matrix (tests/access.py)."""

from tests.access import Case
from tests.strategy.factories import make_indicator, monthly


def _indicator(world):
    return make_indicator(world.project).pk


def _measurement(world):
    indicator = make_indicator(world.project)
    return {"pk": indicator.pk, "measurement_pk": monthly(indicator, [40], by=world.coordinator)[0].pk}


RULES = {
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
