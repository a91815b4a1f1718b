"""The claims list, a person's list of claims and a claim's page cost the same number of queries
however many rows they show."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduction.models import Role
from tests.factories import member
from tests.payments.factories import claim_with, submitted_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_april_2026")]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_keep_flat_query_counts(world, client_for):
    submitted_claim(world, hours=("1",))
    claim_with(world, month=date(2026, 2, 1), hours=("1",))
    coordinator, peer = client_for(world.coordinator), None
    claims_url = reverse("payments:claims", kwargs={"slug": world.project.slug})
    few = _queries(coordinator, claims_url)
    for _ in range(6):
        submitted_claim(world, person=member(world.project, Role.PEER_RESEARCHER), hours=("1", "2"))
    assert _queries(coordinator, claims_url) == few

    peer = client_for(world.peer)
    mine_url = reverse("payments:mine", kwargs={"slug": world.project.slug})
    few = _queries(peer, mine_url)
    claim = claim_with(world, month=date(2026, 1, 1), hours=("1",))
    claim_url = reverse("payments:claim", kwargs={"slug": world.project.slug, "pk": claim.pk})
    one = _queries(peer, claim_url)
    claim_with(world, month=date(2026, 1, 1), hours=("1", "1", "1", "1", "1", "1"))
    assert _queries(peer, claim_url) == one
    assert _queries(peer, mine_url) == few
