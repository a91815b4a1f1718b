"""Payments: peer researchers reach their own claims (another person's is a 404); coordinators
every submitted claim; analysts and supervisors nothing (403). Claims are for March 2026 with
a rate in place, so the pages have something to show whatever the day."""

from datetime import date, timedelta

from coproduction.models import ActivityKind, Claim, Rate
from tests.access import Case
from tests.payments.factories import claim_with, rate, submitted_claim


def _free_month(world) -> date:
    """March 2026, or a month before it when the world already has claims (the form fuzz builds
    every rule's objects in one world)."""
    taken = Claim.objects.filter(project=world.project, person=world.peer).count()
    return date(2026 - (taken + 9) // 12, 12 - (taken + 9) % 12, 1)


def _draft(world):
    return claim_with(world, month=_free_month(world))


def _submitted(world):
    return submitted_claim(world, month=_free_month(world))


def _rate(world):
    starts_on = date(2025, 1, 1) + timedelta(days=Rate.objects.filter(project=world.project).count())
    return rate(world.project, ActivityKind.INTERVIEW, starts_on=starts_on, by=world.coordinator)


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
    "payments:rate_remove": lambda world: Case(kwargs={"pk": _rate(world).pk}, allowed=POST_ONLY),
}
