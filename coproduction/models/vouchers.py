"""Thanking participants: voucher stock, and each thank-you given (or declined).

A voucher code is a bearer value (whoever holds it can spend it): it is stored encrypted and
shown only to the person handing it over, or to a coordinator, each time audited. Duplicates are
found without decrypting the stock: each code also has a keyed hash (`code_hash`), unique per
project (`coproduction.vouchers.codes`).

A thank-you records the occasion (an interview or an event, by kind and id: the core does not
import the apps that own occasions, see `coproduction.vouchers.occasions`) and, where known,
the participant, by their pseudonymous code. Never a name.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from coproduction.fields import EncryptedCharField
from coproduction.models.participants import Participant
from coproduction.models.projects import Project

# "Expiring" on the pages and the dashboard: still usable, and expiring within this many days.
EXPIRING_WITHIN = timedelta(days=30)
# The dashboard warns when fewer vouchers than this are left in stock.
LOW_STOCK = 5
MAX_CODE_LENGTH = 64


def stock_counts(today: date, *, through: str = "", expiry: str = "batch__expires_on") -> dict:
    """Count expressions for in stock (not given, not expired), given, expiring (in stock and
    expiring within EXPIRING_WITHIN) and expired (not given, past its date). A voucher may still
    be given on the day it expires. Over vouchers by default; over a batch's vouchers with
    through="vouchers__", expiry="expires_on"."""
    unused = Q(**{f"{through}given_at__isnull": True})
    in_stock = unused & Q(**{f"{expiry}__gte": today})
    key = f"{through}pk"
    return {
        "in_stock": Count(key, filter=in_stock),
        "given": Count(key, filter=Q(**{f"{through}given_at__isnull": False})),
        "expiring": Count(key, filter=in_stock & Q(**{f"{expiry}__lte": today + EXPIRING_WITHIN})),
        "expired": Count(key, filter=unused & Q(**{f"{expiry}__lt": today})),
    }


class VoucherBatch(models.Model):
    """Codes loaded together: one supplier, one value, one expiry date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="voucher_batches")
    supplier = models.CharField(max_length=80)
    value = models.DecimalField("value (£)", max_digits=7, decimal_places=2)
    expires_on = models.DateField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["expires_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="voucher_value_positive")]

    def __str__(self) -> str:
        return f"£{self.value} {self.supplier}, expires {self.expires_on:%d %b %Y}"


class VoucherQuerySet(models.QuerySet):
    def in_stock(self, today: date) -> "VoucherQuerySet":
        return self.filter(given_at__isnull=True, batch__expires_on__gte=today)

    def counts(self, today: date) -> dict[str, int]:
        """In stock, given, expiring and expired, in one query."""
        return self.aggregate(**stock_counts(today))


class Voucher(models.Model):
    """One code. `given_at` is set, in the same transaction as its VoucherGift, by the one
    action that gives vouchers (`coproduction.vouchers.actions.give_voucher`)."""

    # The project is repeated from the batch so that a code can be unique per project.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(VoucherBatch, on_delete=models.CASCADE, related_name="vouchers")
    code = EncryptedCharField(max_length=MAX_CODE_LENGTH)
    code_hash = models.CharField(max_length=64)
    given_at = models.DateTimeField(null=True, blank=True)

    objects = VoucherQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "code_hash"], name="voucher_code_once_per_project")]
        indexes = [models.Index(fields=["batch", "given_at"])]

    def __str__(self) -> str:
        return f"Voucher {self.pk}"


class VoucherGiftQuerySet(models.QuerySet):
    def at(self, kind: str, occasion_id: int) -> "VoucherGiftQuerySet":
        return self.filter(occasion_kind=kind, occasion_id=occasion_id)

    def given(self) -> "VoucherGiftQuerySet":
        return self.filter(outcome=VoucherGift.Outcome.GIVEN)


class VoucherGift(models.Model):
    """A thank-you at an occasion: a voucher given, or declined by the participant (no voucher
    used). Kept for the finance report (counts and totals only)."""

    class Outcome(models.TextChoices):
        GIVEN = "given", "Voucher given"
        DECLINED = "declined", "Declined"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="voucher_gifts")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    voucher = models.OneToOneField(Voucher, null=True, blank=True, on_delete=models.RESTRICT, related_name="gift")
    # By pseudonymous code only; at an event, a resident who is not a registered participant has none.
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.RESTRICT, related_name="voucher_gifts")
    occasion_kind = models.CharField(max_length=20)
    occasion_id = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = VoucherGiftQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "recorded_at"]),
            models.Index(fields=["occasion_kind", "occasion_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["occasion_kind", "occasion_id", "participant"],
                condition=Q(participant__isnull=False),
                name="one_thank_you_per_participant_and_occasion",
            ),
            models.CheckConstraint(
                condition=Q(outcome="given", voucher__isnull=False) | Q(outcome="declined", voucher__isnull=True),
                name="a_voucher_exactly_when_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Thank-you {self.pk}"
