"""The coordinators' dashboard line (low stock, expiring), nothing of vouchers for other
roles, and the demo project's fictional batch."""

from datetime import timedelta

import pytest

from coproduction.models import VoucherBatch, VoucherGift
from coproduction.vouchers.actions import project_today
from coproduction.vouchers.demo import DEMO_CODES, DEMO_SUPPLIER
from tests.engagement.factories import held_event
from tests.interviews.factories import completed_interview
from tests.vouchers.factories import batch

pytestmark = pytest.mark.django_db


def test_the_coordinators_dashboard_warns_of_low_stock_and_expiring_vouchers(world, client_for):
    dashboard = f"/p/{world.project.slug}/"
    assert "data-voucher-panel" not in client_for(world.coordinator).get(dashboard).content.decode()
    batch(world.project, world.coordinator, codes=3, expires_on=project_today(world.project) + timedelta(days=10))
    body = client_for(world.coordinator).get(dashboard).content.decode()
    assert "Low</strong> 3 vouchers in stock, 3 expiring within 30 days" in body
    for role in ["peer_researcher", "analyst", "supervisor"]:
        body = client_for(world.members[role]).get(dashboard).content.decode()
        assert "data-voucher-panel" not in body and "/vouchers/" not in body, role


def test_only_coordinators_and_the_interviewer_see_the_thank_you_action(world, client_for):
    batch(world.project, world.coordinator)
    interview = completed_interview(world)
    page = f"/p/{world.project.slug}/interviews/{interview.pk}/"
    assert "Thank the participant" in client_for(world.coordinator).get(page).content.decode()
    assert "Thank the participant" in client_for(world.peer).get(page).content.decode()
    assert client_for(world.second_peer).get(page).status_code == 404
    assert client_for(world.analyst).get(page).status_code == 403


def test_the_demo_has_a_fictional_batch_one_given_and_one_declined(world):
    """The step itself, twice (nothing doubles); seed_demo runs it after engagement (400)."""
    from coproduction import demo
    from coproduction.vouchers.demo import seed_vouchers

    assert (710, seed_vouchers) in demo._steps
    held_event(world)
    people = {"coordinator": world.coordinator}
    seed_vouchers(world.project, people)
    seed_vouchers(world.project, people)
    loaded = VoucherBatch.objects.get(project=world.project)
    assert (loaded.supplier, loaded.vouchers.count()) == (DEMO_SUPPLIER, DEMO_CODES)
    assert sorted(VoucherGift.objects.filter(project=world.project).values_list("outcome", flat=True)) == ["declined", "given"]
    assert all("NOTREAL" in voucher.code for voucher in loaded.vouchers.all())


def test_an_interview_to_come_shows_nothing_of_vouchers(world, client_for):
    from tests.interviews.factories import make_interview

    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    body = client_for(world.peer).get(f"/p/{world.project.slug}/interviews/{interview.pk}/").content.decode()
    assert "Thanking the participant" not in body
