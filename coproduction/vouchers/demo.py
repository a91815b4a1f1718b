"""Demo vouchers for `manage.py seed_demo`: one fictional batch (the supplier and every code are
invented and spend nowhere), one voucher given and one declined at a held demo event."""

from datetime import timedelta
from decimal import Decimal

from coproduction.models import Event, Project, User, VoucherBatch
from coproduction.vouchers import actions
from coproduction.vouchers.occasions import occasion_of

DEMO_SUPPLIER = "Riverside High Street Gift Card (fictional)"
DEMO_CODES = 24


def seed_vouchers(project: Project, people: dict[str, User]) -> None:
    if VoucherBatch.objects.filter(project=project).exists():
        return
    coordinator = people["coordinator"]
    actions.load_batch(
        project=project,
        supplier=DEMO_SUPPLIER,
        value=Decimal("20.00"),
        expires_on=actions.project_today(project) + timedelta(days=180),
        numbered=[(n, f"DEMO-{n:04d}-NOTREAL") for n in range(1, DEMO_CODES + 1)],
        where="Line",
        by=coordinator,
    )
    event = Event.objects.held().filter(project=project).order_by("-starts_at").first()
    if event is None:
        return
    occasion = occasion_of("event")
    [kind] = actions.kinds_in_stock(project)
    actions.give_voucher(occasion=occasion, subject=event, participant=None, kind=kind, by=coordinator)
    actions.record_declined(occasion=occasion, subject=event, participant=None, by=coordinator)
