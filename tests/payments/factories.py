"""Payment fixtures: a rate card, a person's choice and claims in a given state."""

from datetime import date
from decimal import Decimal

from coproduction.models import ActivityKind, Claim, PaymentMethod, Rate
from coproduction.payments import actions


def rate(project, kind=ActivityKind.PREPARATION, amount="15.00", *, unit=Rate.Unit.HOUR, starts_on=date(2026, 1, 1), by):
    return Rate.objects.create(project=project, kind=kind, unit=unit, amount=Decimal(amount), starts_on=starts_on, created_by=by)


def claim_with(world, *, person=None, month=date(2026, 3, 1), hours=("2",), method=PaymentMethod.MONEY) -> Claim:
    """A draft claim of preparation time (a rate for it is added if the project has none)."""
    person = person or world.peer
    if not Rate.objects.filter(project=world.project, kind=ActivityKind.PREPARATION).exists():
        rate(world.project, starts_on=date(2000, 1, 1), by=world.coordinator)
    actions.choose_method(project=world.project, person=person, method=method)
    claim = actions.open_claim(project=world.project, person=person, month=month)
    for day, value in enumerate(hours, start=2):
        actions.add_activity(claim, kind=ActivityKind.PREPARATION, on=month.replace(day=day), hours=Decimal(value), by=person)
    return claim


def submitted_claim(world, **kwargs) -> Claim:
    claim = claim_with(world, **kwargs)
    return actions.submit_claim(claim, by=claim.person, confirm_over_limit=True)


def approved_claim(world, **kwargs) -> Claim:
    return actions.approve_claim(submitted_claim(world, **kwargs), by=world.coordinator)
