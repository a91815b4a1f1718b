"""What an interview or event page shows about thanking its participant(s), and how lists of
thank-yous name their occasion. Pages of other apps call these; they never query vouchers."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from coproduction.models import Role, VoucherGift
from coproduction.vouchers.occasions import occasion_of


@dataclass(frozen=True)
class ThankYouSummary:
    url: str
    given: int
    declined: int
    refusal: str | None


def thank_you_summary(request, kind: str, subject: Any) -> ThankYouSummary | None:
    """For the occasion's page: None for a role that cannot thank anyone (the page then shows
    nothing of vouchers); else the thank-you page's address and the counts so far (one query)."""
    if request.membership.role not in {Role.COORDINATOR, Role.PEER_RESEARCHER}:
        return None
    occasion = occasion_of(kind)
    counts = VoucherGift.objects.at(kind, subject.pk).aggregate(
        given=Count("pk", filter=Q(outcome=VoucherGift.Outcome.GIVEN)),
        declined=Count("pk", filter=Q(outcome=VoucherGift.Outcome.DECLINED)),
    )
    url = reverse("vouchers:thank", kwargs={"slug": request.project.slug, "kind": kind, "pk": subject.pk})
    return ThankYouSummary(url, counts["given"], counts["declined"], occasion.refusal(subject))


@dataclass(frozen=True)
class GiftRow:
    gift: VoucherGift
    occasion: str  # "Interview", "Event"


def gift_rows(gifts) -> list[GiftRow]:
    return [GiftRow(gift, occasion_of(gift.occasion_kind).label.capitalize()) for gift in gifts]
