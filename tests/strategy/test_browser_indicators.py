"""Indicators in a real browser, at phone and desk widths, with axe: a coordinator defines an
indicator with a baseline, enters a measurement (a wrong one first), and the chart and the
table beside it show it; the overview shows every indicator as a small multiple."""

from datetime import date

import pytest

from coproduction.models.strategy import Measurement
from tests.browser_fixtures import follow_menu_link
from tests.strategy.factories import make_indicator, monthly

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_define_measure_and_see_the_chart(page, world, sign_in, axe_check, width, tmp_path):
    page.set_viewport_size(WIDTHS[width])
    make_indicator(
        world.project,
        name="Sex workers in structured support",
        counts_people=True,
        better="higher",
        baseline_start=date(2024, 3, 1),
        baseline_end=date(2024, 3, 31),
        baseline_value=18,
    )
    sign_in(page, world.coordinator)
    page.goto(f"/p/{world.project.slug}/")
    follow_menu_link(page, "Strategy overview")
    page.get_by_role("link", name="All indicators").click()
    page.get_by_role("link", name="Add an indicator").click()
    axe_check(page)
    page.get_by_label("Name").fill("Reports of anti-social behaviour to the police")
    page.get_by_label("Source").fill("Police ASB reports")
    page.get_by_label("Baseline period: first day (optional)").fill("2023-04-01")
    page.get_by_label("Baseline period: last day (optional)").fill("2023-04-30")
    page.get_by_label("Baseline value (optional)").fill("55")
    page.get_by_role("button", name="Add indicator").click()
    page.locator("h1", has_text="Reports of anti-social behaviour to the police").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Add a measurement").click()
    page.get_by_label("First day of the period").fill("2024-04-01")
    page.get_by_label("Last day of the period").fill("2024-03-31")
    page.get_by_label("Value").fill("fifty")
    page.get_by_role("button", name="Save measurement").click()
    page.locator(".govuk-error-summary").wait_for()
    axe_check(page)
    assert page.get_by_text("The period must end on or after its first day.").first.is_visible()
    page.get_by_label("Last day of the period").fill("2024-04-30")
    page.get_by_label("Value").fill("52")
    page.get_by_role("button", name="Save measurement").click()
    page.locator("[data-indicator-chart] circle[data-value='52']").wait_for()
    assert page.locator("[data-indicator-table]").get_by_role("rowheader", name="April 2024").is_visible()
    assert "down 5.5% on April 2023 (better)" in page.locator("[data-against-baseline]").inner_text()
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"indicator-{width}.png"), full_page=True)
    assert Measurement.objects.count() == 1
    support = make_indicator(world.project, name="High-risk cases", counts_people=True, better="higher")
    monthly(support, [4, 9, 13, 20, 27], by=world.coordinator, start=(2024, 6))
    follow_menu_link(page, "Strategy overview")
    page.locator("[data-small-multiple]").nth(2).wait_for()
    assert page.locator("[data-small-multiple]").count() == 3
    axe_check(page)
    page.get_by_role("link", name="Show for publication (small numbers hidden)").click()
    page.locator("[data-not-drawn]").first.wait_for()
    assert "2 figures count fewer than 10 people and are not drawn" in page.locator("[data-not-drawn]").first.inner_text()
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"overview-{width}.png"), full_page=True)
