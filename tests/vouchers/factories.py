"""Voucher fixtures: batches loaded through the real action, occasions from the other apps'
factories."""

from datetime import date, timedelta
from decimal import Decimal

from coproduction.models import Project, User, VoucherBatch, VoucherGift
from coproduction.vouchers import actions
from coproduction.vouchers.occasions import occasion_of


def batch(
    project: Project,
    by: User,
    *,
    codes: int = 3,
    supplier: str = "Corner Shop Card",
    value: str = "20.00",
    expires_on: date | None = None,
    prefix: str = "CODE",
) -> VoucherBatch:
    return actions.load_batch(
        project=project,
        supplier=supplier,
        value=Decimal(value),
        expires_on=expires_on or actions.project_today(project) + timedelta(days=90),
        numbered=[(n, f"{prefix}-{supplier[:3].upper()}-{n:04d}") for n in range(1, codes + 1)],
        where="Line",
        by=by,
    )


def expire(voucher_batch: VoucherBatch, days_ago: int = 1) -> None:
    """Batches cannot be loaded expired: move the date afterwards, as time would."""
    VoucherBatch.objects.filter(pk=voucher_batch.pk).update(
        expires_on=actions.project_today(voucher_batch.project) - timedelta(days=days_ago)
    )


def give(
    kind: str, subject, by: User, *, participant=None, supplier: str = "Corner Shop Card", value: str = "20.00"
) -> VoucherGift:
    occasion = occasion_of(kind)
    return actions.give_voucher(
        occasion=occasion,
        subject=subject,
        participant=participant if participant is not None else occasion.participant(subject),
        kind=actions.VoucherKind(supplier, Decimal(value)),
        by=by,
    )
