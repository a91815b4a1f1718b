"""What a claim comes to: each activity priced at the rate that applies on its day.

Every amount is a `Decimal` in pounds. An activity paid per hour is rate × hours, rounded half
up to the penny once; one paid per activity is the rate. The claim's total is the sum of those
pennies, so the lines on the page always add up to the total. A claim whose person chose not to
be paid comes to £0.00 (its hours still count).
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format

from coproduction.models import Activity, Claim, PaymentMethod, PaymentPolicy, Rate

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


class RateCard:
    """A project's rates, read once, answering "which rate applies to this kind on this day"."""

    def __init__(self, rates):
        self._by_kind: dict[str, list[Rate]] = defaultdict(list)
        for rate in sorted(rates, key=lambda r: r.starts_on):
            self._by_kind[rate.kind].append(rate)

    @classmethod
    def of(cls, project) -> "RateCard":
        return cls(Rate.objects.filter(project=project))

    def applying(self, kind: str, on) -> Rate | None:
        rates = self._by_kind.get(kind, [])
        index = bisect_right([rate.starts_on for rate in rates], on)
        return rates[index - 1] if index else None


def amount_for(rate: Rate, hours: Decimal | None) -> Decimal | None:
    if rate.unit == Rate.Unit.ACTIVITY:
        return rate.amount.quantize(PENNY)
    if hours is None:
        return None
    return (rate.amount * hours).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    activity: Activity
    rate: Rate | None
    amount: Decimal | None


@dataclass
class Pricing:
    lines: list[Line]
    hours: Decimal
    amount: Decimal
    problems: list[str] = field(default_factory=list)  # why it cannot be submitted yet
    limit: Decimal | None = None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.amount > self.limit


def describe(activity: Activity) -> str:
    day = date_format(activity.on, "j F Y")
    label = f" ({activity.label})" if activity.label else ""
    return f"{activity.get_kind_display()} on {day}{label}"


def price(claim: Claim, activities=None, *, method: str | None = None, card: RateCard | None = None) -> Pricing:
    """The claim as it stands: a line per activity (left-out ones at no amount), the totals,
    and what stops it being submitted (hours missing, no rate for a kind on a day)."""
    activities = list(claim.activities.all() if activities is None else activities)
    card = card or RateCard.of(claim.project)
    method = method if method is not None else claim.method
    lines, problems = [], []
    hours = amount = ZERO
    for activity in activities:
        if not activity.included:
            lines.append(Line(activity, None, None))
            continue
        rate = card.applying(activity.kind, activity.on)
        if activity.hours is None:
            problems.append(f"Enter the hours for {describe(activity)}.")
        else:
            hours += activity.hours
        if rate is None:
            problems.append(f"There is no rate for {describe(activity)}. Ask a coordinator to add one to the rate card.")
            lines.append(Line(activity, None, None))
            continue
        line_amount = amount_for(rate, activity.hours)
        lines.append(Line(activity, rate, line_amount))
        amount += line_amount or ZERO
    if method == PaymentMethod.NONE:
        amount = ZERO
    limit = PaymentPolicy.current(claim.project).monthly_limit
    return Pricing(lines, hours, amount, problems, limit)


def frozen_pricing(claim: Claim) -> Pricing:
    """A submitted, returned-and-resubmitted or approved claim as it was priced when submitted."""
    lines = [Line(activity, None, activity.amount) for activity in claim.activities.all()]
    limit = PaymentPolicy.current(claim.project).monthly_limit
    return Pricing(lines, claim.hours or ZERO, claim.amount or ZERO, [], limit)
