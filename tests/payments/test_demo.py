"""The demo project gets a rate card (with a change in the middle of last month), a limit,
everyone's choice of how to be paid and claims: one approved, one waiting, one draft."""

import pytest
from django.urls import reverse

from coproduction.demo import seed
from coproduction.models import Claim, PaymentChoice, Rate
from coproduction.payments.demo import seed_payments

pytestmark = pytest.mark.django_db


def test_seed_adds_a_rate_card_and_claims_once(client):
    project, people = seed()
    seed_payments(project, people)  # a second run adds nothing
    assert Rate.objects.filter(project=project).count() == 6
    claims = Claim.objects.filter(project=project)
    assert sorted(claims.values_list("person__email", "status")) == [
        ("peer1@example.org", "approved"),
        ("peer1@example.org", "draft"),
        ("peer2@example.org", "submitted"),
    ]
    assert claims.get(status="approved").amount > 0
    assert PaymentChoice.objects.filter(project=project).count() == 3
    client.force_login(people["coordinator"])
    page = client.get(reverse("coproduction:dashboard", kwargs={"slug": project.slug})).content.decode()
    assert "1 claim waiting for approval" in page
    for claim in claims.exclude(status="draft"):
        assert client.get(reverse("payments:claim", kwargs={"slug": project.slug, "pk": claim.pk})).status_code == 200
    client.force_login(people["peer1"])
    assert client.get(reverse("payments:mine", kwargs={"slug": project.slug})).status_code == 200
