"""The coordinators' dashboard line: vouchers running low or expiring (counts only)."""

from coproduction.models import Voucher, VoucherBatch
from coproduction.models.vouchers import EXPIRING_WITHIN, LOW_STOCK
from coproduction.prepared import PreparedQuery
from coproduction.vouchers.actions import project_today

_any_batch = PreparedQuery(lambda project_id: VoucherBatch.objects.filter(project=project_id).values("pk")[:1])


def coordinator_panel(request, project) -> dict | None:
    """Nothing for a project that has never loaded vouchers."""
    if not _any_batch(project_id=project.pk):
        return None
    counts = Voucher.objects.filter(project=project).counts(project_today(project))
    return {**counts, "low": counts["in_stock"] < LOW_STOCK, "expiring_days": EXPIRING_WITHIN.days}
