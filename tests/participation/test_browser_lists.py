"""The deny-list and allow-list pages in a real browser, at phone and desk widths, with axe:
adding, a refused duplicate that keeps what was typed, and removing."""

import pytest

from coproduction.models import AllowListTerm

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_allow_list_add_refuse_and_remove(page, world, sign_in, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, world.coordinator)
    page.goto(f"/p/{world.project.slug}/participants/allow-list/")
    axe_check(page)
    page.get_by_label("Public place, organisation or helpline").fill("Riverside Market")
    page.get_by_role("button", name="Add to the allow-list").click()
    page.get_by_text("Added to the allow-list.").wait_for()
    page.get_by_label("Public place, organisation or helpline").fill("riverside market")
    page.get_by_label("Kind").select_option("organisation")
    page.get_by_role("button", name="Add to the allow-list").click()
    page.locator(".govuk-error-summary").wait_for()
    axe_check(page)
    assert page.get_by_label("Public place, organisation or helpline").input_value() == "riverside market"
    assert page.get_by_label("Kind").input_value() == "organisation"
    assert AllowListTerm.objects.count() == 1
    page.get_by_role("button", name="Remove Riverside Market").click()
    page.get_by_text("Removed from the allow-list.").wait_for()
    assert not AllowListTerm.objects.exists()
    page.get_by_role("link", name="Deny-list: names, nicknames and places that must never reach the corpus").click()
    page.locator("h1", has_text="Deny-list").wait_for()
    axe_check(page)
