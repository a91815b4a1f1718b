"""Vouchers in a real browser, at phone and desk widths, with axe: a coordinator loads a batch
(a duplicate first: nothing loaded, the typed values kept), the interviewer thanks the
participant from the interview page and shows the code; the coordinator sees the stock and the
report for finance."""

from datetime import timedelta

import pytest

from coproduction.models import VoucherBatch, VoucherGift
from coproduction.vouchers.actions import project_today
from tests.browser_fixtures import follow_menu_link
from tests.interviews.factories import completed_interview

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_load_give_show_the_code_and_report(page, world, sign_in, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    slug = world.project.slug
    interview = completed_interview(world)
    expiry = (project_today(world.project) + timedelta(days=20)).isoformat()

    sign_in(page, world.coordinator)
    page.goto(f"/p/{slug}/")
    follow_menu_link(page, "Vouchers")
    axe_check(page)
    page.get_by_role("link", name="Load a batch of codes").click()
    page.get_by_label("Supplier").fill("Corner Shop Card")
    page.get_by_label("Value of each voucher (£)").fill("20")
    page.get_by_label("Expiry date").fill(expiry)
    page.get_by_label("Codes (one a line)").fill("TEST-0001\nTEST-0002\ntest 0001")
    page.get_by_role("button", name="Load the vouchers").click()
    page.locator("[data-load-problems]", has_text="Line 3: the code ending 0001 is already in line 1.").wait_for()
    axe_check(page)
    no_sideways_scroll(page)
    assert page.get_by_label("Supplier").input_value() == "Corner Shop Card"
    assert not VoucherBatch.objects.exists()
    page.get_by_label("Codes (one a line)").fill("TEST-0001\nTEST-0002")
    page.get_by_role("button", name="Load the vouchers").click()
    page.locator('[data-count="in_stock"]', has_text="2").wait_for()
    assert page.locator('[data-count="expiring"]').inner_text().startswith("2")
    axe_check(page)
    no_sideways_scroll(page)

    page.context.clear_cookies()
    sign_in(page, world.peer)
    page.goto(f"/p/{slug}/interviews/{interview.pk}/")
    page.get_by_role("link", name="Thank the participant").click()
    axe_check(page)
    page.get_by_label("Voucher").select_option(label="£20.00 Corner Shop Card")
    page.get_by_role("button", name="Give the voucher").click()
    page.get_by_role("button", name="Show the code").click()
    page.locator("[data-code]", has_text="TEST-0001").wait_for()
    axe_check(page)
    no_sideways_scroll(page)
    assert VoucherGift.objects.get().participant == interview.participant

    page.context.clear_cookies()
    sign_in(page, world.coordinator)
    page.goto(f"/p/{slug}/vouchers/")
    page.locator('[data-count="given"]', has_text="1").wait_for()
    page.get_by_role("link", name="Report for finance").click()
    page.locator("[data-total-value]", has_text="£20.00").wait_for()
    axe_check(page)
    no_sideways_scroll(page)
    assert interview.participant.code not in page.content()
