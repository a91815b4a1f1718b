"""Workflows of paying peer researchers: the rate card and limit, the choice of how to be paid,
a month's claim (bringing in what happened, corrections, submission), its approval or return,
and the finance export.

Each function that changes something runs in one transaction, locks the claim it changes, and
audits what it did (ids only, never amounts or kinds). Refusals are `PaymentsRefused` with
plain-English problems under the form field they are about (None for the form as a whole);
nothing is saved when a refusal is raised.
"""

import calendar
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from coproduction.audit import record
from coproduction.models import (
    Activity,
    ActivityKind,
    Claim,
    PaymentChoice,
    PaymentMethod,
    PaymentPolicy,
    Project,
    Rate,
    User,
)
from coproduction.payments import sources
from coproduction.payments.pricing import Pricing, price

MAX_HOURS_PER_ACTIVITY = Decimal("12")
MAX_HOURS_PER_DAY = Decimal("24")
MAX_RATE = Decimal("1000.00")
BENEFITS_ADVICE = (
    "If you get benefits, being paid more than a limit can affect them. Before you submit, you may want "
    "to talk to an independent benefits adviser, such as Citizens Advice or a local welfare rights service. "
    "You can also choose vouchers or not to be paid, or leave some activities out of this claim."
)


class PaymentsRefused(Exception):
    """The change cannot be made; `problems` maps a form field (or None) to reasons."""

    def __init__(self, problems: dict[str | None, list[str]] | str, *, over_limit: bool = False):
        if isinstance(problems, str):
            problems = {None: [problems]}
        self.problems = problems
        self.over_limit = over_limit
        super().__init__("; ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.problems.values() for message in messages]


def month_name(month: date) -> str:
    return date_format(month, "F Y")


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def today(project: Project) -> date:
    return timezone.localdate(timezone=project.tzinfo)


# ---------------------------------------------------------------- the rate card and the limit


@transaction.atomic
def add_rate(*, project: Project, kind: str, unit: str, amount: Decimal, starts_on: date, by: User) -> Rate:
    if Rate.objects.filter(project=project, kind=kind, starts_on=starts_on).exists():
        label = ActivityKind(kind).label.lower()
        raise PaymentsRefused({"starts_on": [f"There is already a rate for {label} from {date_format(starts_on, 'j F Y')}."]})
    rate = Rate.objects.create(project=project, kind=kind, unit=unit, amount=amount, starts_on=starts_on, created_by=by)
    record(by, "payment_rate.added", rate)
    return rate


@transaction.atomic
def remove_rate(rate: Rate, *, by: User) -> None:
    """Submitted and approved claims keep the rate frozen on them; drafts are priced anew."""
    record(by, "payment_rate.removed", rate)
    rate.delete()


@transaction.atomic
def set_monthly_limit(*, project: Project, monthly_limit: Decimal | None, by: User) -> PaymentPolicy:
    policy, _ = PaymentPolicy.objects.select_for_update().get_or_create(project=project)
    policy.monthly_limit = monthly_limit
    policy.save(update_fields=["monthly_limit"])
    record(by, "payment_limit.changed", policy, project=project)
    return policy


# ---------------------------------------------------------------- how a person is paid


def chosen_method(project: Project, person: User) -> str | None:
    return PaymentChoice.objects.filter(project=project, person=person).values_list("method", flat=True).first()


@transaction.atomic
def choose_method(*, project: Project, person: User, method: str) -> PaymentChoice:
    choice, _ = PaymentChoice.objects.update_or_create(
        project=project, person=person, defaults={"method": method, "changed_at": timezone.now()}
    )
    record(person, "payment_method.chosen", choice, project=project)
    return choice


# ---------------------------------------------------------------- a month's claim


def month_problems(project: Project, month: date) -> list[str]:
    if month > today(project).replace(day=1):
        return [f"{month_name(month)} has not started yet. You can claim for this month or an earlier one."]
    return []


@transaction.atomic
def open_claim(*, project: Project, person: User, month: date) -> Claim:
    """The person's claim for the month (a new draft the first time), with what happened in the
    month brought in."""
    month = month.replace(day=1)
    problems = month_problems(project, month)
    if problems:
        raise PaymentsRefused({"month": problems})
    claim, created = Claim.objects.get_or_create(project=project, person=person, month=month)
    if created:
        record(person, "claim.started", claim)
    bring_in_activities(claim)
    return claim


def bring_in_activities(claim: Claim) -> int:
    """Add what happened in the claim's month (up to today) that the claim does not have yet;
    return how many. Only an editable claim takes new rows; each source's row is added once,
    so a row the person left out stays left out."""
    if not claim.editable:
        return 0
    first = claim.month
    last = min(last_day(first), today(claim.project))
    if last < first:
        return 0
    have = set(claim.activities.exclude(source="").values_list("source", flat=True))
    new = [
        Activity(claim=claim, kind=done.kind, on=done.on, hours=done.hours, source=done.source, label=done.label[:120])
        for done in sources.done_activities(claim.project, claim.person, first, last)
        if done.source not in have and first <= done.on <= last
    ]
    # Two tabs bringing in at once: the partial unique index drops the second copy.
    Activity.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _locked(claim: Claim) -> Claim:
    """The claim re-read under a lock, refused unless it can still be changed."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if not claim.editable:
        raise PaymentsRefused(f"This claim is {claim.get_status_display().lower()} and can no longer be changed.")
    return claim


def activity_problems(claim: Claim, *, on: date | None, hours: Decimal | None, exclude: Activity | None = None) -> dict:
    """Hours within reason and a day inside the claim's month that has passed."""
    problems: dict[str | None, list[str]] = {}
    if on is not None:
        if not claim.month <= on <= last_day(claim.month):
            problems["on"] = [f"Enter a day in {month_name(claim.month)}."]
        elif on > today(claim.project):
            problems["on"] = ["Enter a day that has passed: claims are for what you have done."]
    if hours is not None:
        if hours <= 0:
            problems["hours"] = ["Enter a number of hours more than 0."]
        elif hours > MAX_HOURS_PER_ACTIVITY:
            problems["hours"] = [f"Enter {MAX_HOURS_PER_ACTIVITY} hours or fewer for one activity."]
        elif on is not None and "on" not in problems:
            others = claim.activities.filter(on=on, included=True, hours__isnull=False)
            if exclude is not None:
                others = others.exclude(pk=exclude.pk)
            day_total = sum((a.hours for a in others), Decimal(0)) + hours
            if day_total > MAX_HOURS_PER_DAY:
                problems["hours"] = [f"That makes {day_total} hours on {date_format(on, 'j F Y')}, more than a day has."]
    return problems


@transaction.atomic
def add_activity(claim: Claim, *, kind: str, on: date, hours: Decimal, by: User) -> Activity:
    claim = _locked(claim)
    problems = activity_problems(claim, on=on, hours=hours)
    if problems:
        raise PaymentsRefused(problems)
    activity = Activity.objects.create(claim=claim, kind=kind, on=on, hours=hours)
    record(by, "claim.activity_added", claim)
    return activity


@transaction.atomic
def change_activity(activity: Activity, *, hours: Decimal | None, included: bool, by: User) -> Activity:
    claim = _locked(activity.claim)
    activity = Activity.objects.get(pk=activity.pk)
    problems = activity_problems(claim, on=activity.on, hours=hours, exclude=activity) if included else {}
    if included and hours is None:
        problems.setdefault("hours", []).append("Enter the hours, or leave this activity out of the claim.")
    if problems:
        raise PaymentsRefused(problems)
    activity.hours = hours
    activity.included = included
    activity.save(update_fields=["hours", "included"])
    record(by, "claim.activity_changed", claim)
    return activity


@transaction.atomic
def remove_activity(activity: Activity, *, by: User) -> None:
    """Only an activity added by hand goes; one brought in is left out instead (or it would come back)."""
    claim = _locked(activity.claim)
    if not activity.by_hand:
        raise PaymentsRefused("This activity was brought in from what happened: leave it out of the claim instead.")
    activity.delete()
    record(by, "claim.activity_removed", claim)


def submission_check(claim: Claim) -> Pricing:
    """The claim priced with the person's current choice, and what stops it being submitted."""
    method = chosen_method(claim.project, claim.person)
    pricing = price(claim, claim.activities.all(), method=method or "")
    problems = list(pricing.problems)
    if last_day(claim.month) >= today(claim.project):
        problems.insert(0, f"You can submit the claim for {month_name(claim.month)} once the month is over.")
    if method is None:
        problems.insert(0, "Choose how you want to be paid first (under My payments).")
    if not any(line.activity.included for line in pricing.lines):
        problems.append("There is nothing to claim: add an activity first.")
    pricing.problems = problems
    return pricing


@transaction.atomic
def submit_claim(claim: Claim, *, by: User, confirm_over_limit: bool = False) -> Claim:
    """Steps: lock; check (month over, method chosen, hours and rates for every activity); warn
    once when the claim would cross the monthly limit (the person confirms, having read where
    to get independent benefits advice); freeze each activity's rate and amount and the totals."""
    claim = _locked(claim)
    pricing = submission_check(claim)
    if pricing.problems:
        raise PaymentsRefused({None: pricing.problems})
    if pricing.over_limit and not confirm_over_limit:
        raise PaymentsRefused(
            {"confirm_over_limit": [f"This claim is over the project's limit of £{pricing.limit} a month. {BENEFITS_ADVICE}"]},
            over_limit=True,
        )
    for line in pricing.lines:
        activity = line.activity
        activity.rate_amount = line.rate.amount if line.rate else None
        activity.rate_unit = line.rate.unit if line.rate else ""
        activity.amount = line.amount
    Activity.objects.bulk_update([line.activity for line in pricing.lines], ["rate_amount", "rate_unit", "amount"])
    claim.method = chosen_method(claim.project, claim.person)
    claim.hours, claim.amount, claim.over_limit = pricing.hours, pricing.amount, pricing.over_limit
    claim.status, claim.submitted_at, claim.return_reason = Claim.Status.SUBMITTED, timezone.now(), ""
    claim.save(update_fields=["method", "hours", "amount", "over_limit", "status", "submitted_at", "return_reason"])
    record(by, "claim.submitted", claim)
    return claim


def _waiting(claim: Claim) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != Claim.Status.SUBMITTED:
        raise PaymentsRefused(
            f"This claim is {claim.get_status_display().lower()}: only a claim waiting for approval can be decided."
        )
    return claim


@transaction.atomic
def approve_claim(claim: Claim, *, by: User) -> Claim:
    """Approved claims are locked: nothing in them changes again."""
    claim = _waiting(claim)
    if claim.person_id == by.pk:
        raise PaymentsRefused("Someone else must approve your own claim.")
    claim.status, claim.decided_at, claim.decided_by = Claim.Status.APPROVED, timezone.now(), by
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    record(by, "claim.approved", claim)
    return claim


@transaction.atomic
def return_claim(claim: Claim, *, by: User, reason: str) -> Claim:
    """Back to the person to correct, with the reason; the frozen amounts are cleared (it is
    priced again when submitted again)."""
    claim = _waiting(claim)
    if not reason.strip():
        raise PaymentsRefused({"reason": ["Say why the claim is returned, so it can be corrected."]})
    claim.activities.update(rate_amount=None, rate_unit="", amount=None)
    claim.status, claim.decided_at, claim.decided_by = Claim.Status.RETURNED, timezone.now(), by
    claim.return_reason, claim.method, claim.hours, claim.amount = reason.strip(), "", None, None
    claim.save(update_fields=["status", "decided_at", "decided_by", "return_reason", "method", "hours", "amount"])
    record(by, "claim.returned", claim)
    return claim


# ---------------------------------------------------------------- the finance export

FINANCE_HEADINGS = ["Name", "Email", "Month", "Hours", "Amount (£)", "Payment method"]


def finance_claims(project: Project, first: date, last: date):
    return (
        Claim.objects.approved()
        .filter(project=project, month__gte=first, month__lte=last)
        .select_related("person")
        .order_by("month", "person__display_name", "pk")
    )


def finance_rows(project: Project, first: date, last: date) -> Iterator[list]:
    """Per person and month: hours, amount and method, and nothing else. Built from the claim's
    frozen totals only, so no activity (and no kind of activity) can reach the file."""
    yield FINANCE_HEADINGS
    for claim in finance_claims(project, first, last).iterator():
        yield [
            claim.person.display_name,
            claim.person.email,
            claim.month.strftime("%Y-%m"),
            claim.hours,
            claim.amount,
            PaymentMethod(claim.method).label,
        ]


def record_export(project: Project, *, by: User) -> None:
    record(by, "payments.exported", project)
