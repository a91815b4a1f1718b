"""The demo project's rate card, limit, payment choices and a few claims (all invented):
Alex's claim for last month approved, Jo's waiting for approval, and Alex's draft for this
month with this month's completed interviews brought in."""

from datetime import timedelta
from decimal import Decimal

from coproduction.models import ActivityKind, PaymentMethod, Rate
from coproduction.payments import actions


def seed_payments(project, people) -> None:
    if Rate.objects.filter(project=project).exists():
        return
    coordinator = people["coordinator"]
    this_month = actions.today(project).replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    since = (last_month - timedelta(days=60)).replace(day=1)
    hourly, each = Rate.Unit.HOUR, Rate.Unit.ACTIVITY
    for kind, unit, amount, starts_on in [
        (ActivityKind.INTERVIEW, hourly, "20.00", since),
        # A rate change in the middle of last month: its activities are priced by their day.
        (ActivityKind.INTERVIEW, hourly, "22.00", last_month.replace(day=15)),
        (ActivityKind.EVENT, hourly, "20.00", since),
        (ActivityKind.TRAINING, each, "50.00", since),
        (ActivityKind.TEAM_MEETING, hourly, "15.00", since),
        (ActivityKind.PREPARATION, hourly, "15.00", since),
    ]:
        actions.add_rate(project=project, kind=kind, unit=unit, amount=Decimal(amount), starts_on=starts_on, by=coordinator)
    actions.set_monthly_limit(project=project, monthly_limit=Decimal("200.00"), by=coordinator)

    peer1, peer2, peer3 = people["peer1"], people["peer2"], people["peer3"]
    for person, method in [(peer1, PaymentMethod.MONEY), (peer2, PaymentMethod.VOUCHERS), (peer3, PaymentMethod.NONE)]:
        actions.choose_method(project=project, person=person, method=method)

    def claim_for(person, entries):
        claim = actions.open_claim(project=project, person=person, month=last_month)
        for activity in claim.activities.filter(hours__isnull=True):
            actions.change_activity(activity, hours=Decimal("3"), included=True, by=person)
        for kind, day, hours in entries:
            actions.add_activity(claim, kind=kind, on=last_month.replace(day=day), hours=Decimal(hours), by=person)
        return actions.submit_claim(claim, by=person, confirm_over_limit=True)

    approved = claim_for(
        peer1,
        [(ActivityKind.PREPARATION, 3, "2"), (ActivityKind.TEAM_MEETING, 10, "1.5"), (ActivityKind.PREPARATION, 17, "1.25")],
    )
    actions.approve_claim(approved, by=coordinator)
    claim_for(peer2, [(ActivityKind.TEAM_MEETING, 10, "1.5"), (ActivityKind.PREPARATION, 12, "2.5")])
    actions.open_claim(project=project, person=peer1, month=this_month)
