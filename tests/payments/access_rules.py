"""Payments: peer researchers reach their own claims (another person's is a 404); coordinators
every submitted claim; analysts and supervisors nothing (403). Claims are for March 2026 with
a rate in place, so the pages have something to show whatever the day."""

from datetime import date

from coproduction.models import ActivityKind
from tests.access import Case
from tests.payments.factories import claim_with, rate, submitted_claim

LAST_MONTH = date(2026, 3, 1)


def _draft(world):
    return claim_with(world, month=LAST_MONTH)


def _submitted(world):
    return submitted_claim(world, month=LAST_MONTH)


def _activity(world):
    claim = _draft(world)
    return {"pk": claim.pk, "activity_pk": claim.activities.first().pk}


POST_ONLY = (405,)

RULES = {
    "payments:claim": lambda world: Case(kwargs={"pk": _submitted(world).pk}),
    # Only the person edits their own claim: a coordinator is refused by role (403) before any
    # claim is looked up.
    "payments:activity_add": lambda world: Case(kwargs={"pk": _draft(world).pk}),
    "payments:activity_change": lambda world: Case(kwargs=_activity(world)),
    "payments:activity_remove": lambda world: Case(kwargs=_activity(world), allowed=POST_ONLY),
    "payments:submit": lambda world: Case(kwargs={"pk": _draft(world).pk}),
    "payments:approve": lambda world: Case(kwargs={"pk": _submitted(world).pk}, allowed=POST_ONLY),
    "payments:return": lambda world: Case(kwargs={"pk": _submitted(world).pk}),
    "payments:rate_remove": lambda world: Case(
        kwargs={"pk": rate(world.project, ActivityKind.INTERVIEW, by=world.coordinator).pk}, allowed=POST_ONLY
    ),
}
