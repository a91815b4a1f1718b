"""The coordinators' dashboard line: vouchers running low or expiring (counts only)."""

from coproduction.models import Voucher, VoucherBatch
from coproduction.models.vouchers import EXPIRING_WITHIN, LOW_STOCK
from coproduction.vouchers.actions import project_today


def coordinator_panel(request, project) -> dict | None:
    """Nothing for a project that has never loaded vouchers."""
    if not VoucherBatch.objects.filter(project=project).exists():
        return None
    counts = Voucher.objects.filter(project=project).counts(project_today(project))
    return {**counts, "low": counts["in_stock"] < LOW_STOCK, "expiring_days": EXPIRING_WITHIN.days}
