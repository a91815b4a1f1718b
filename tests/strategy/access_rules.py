"""Arguments for the strategy URLs in the URL x role matrix (tests/access.py)."""

from tests.access import Case

RULES: dict = {
    # Evidence side (coproduction/strategy/evidence_urls.py): unanswered themes for coordinators
    # and analysts; import and export for coordinators.
    "strategy:unanswered": lambda world: Case(),
    "strategy:import": lambda world: Case(),
    "strategy:import_confirm": lambda world: Case(allowed=(405,)),
    "strategy:export": lambda world: Case(),
}
