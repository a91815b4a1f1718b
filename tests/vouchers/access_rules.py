"""Vouchers: coordinators see the stock, the list of thank-yous and the finance report; peer
researchers thank participants at their own interviews and events and see the thank-yous they
recorded; analysts and supervisors see none of it (403); the other project's members get 404
(the declared rules). The world's peer is the interviewer here."""

from coproduction.models import VoucherBatch
from tests.access import Case
from tests.interviews.factories import completed_interview
from tests.vouchers.factories import batch, give


def _interview(world):
    return completed_interview(world)


def _gift(world):
    # Several rules may build on one world: load the stock once.
    if not VoucherBatch.objects.filter(project=world.project).exists():
        batch(world.project, world.coordinator, codes=10)
    return give("interview", _interview(world), world.peer).pk


RULES = {
    "vouchers:thank": lambda world: Case(kwargs={"kind": "interview", "pk": _interview(world).pk}),
    "vouchers:gift": lambda world: Case(kwargs={"pk": _gift(world)}),
    "vouchers:reveal": lambda world: Case(kwargs={"pk": _gift(world)}, method="post"),
}
