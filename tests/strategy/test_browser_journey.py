"""The accountability loop in a real browser, at phone and desk widths, with axe: a peer
researcher proposes an action; a coordinator agrees it and links two themes; posts an update;
then enters a new measurement of the indicator the action relates to, and the chart shows it."""

from datetime import date

import pytest

from coproduction.models import Action, ActionStatus
from tests.strategy.factories import make_indicator, monthly, priority_for, theme_for

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_propose_agree_link_update_and_measure(page, world, sign_in, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    slug = world.project.slug
    priority_for(world.project, "Support and health")
    theme_for(world.project, "Outreach hubs")
    theme_for(world.project, "Support services")
    indicator = make_indicator(
        world.project,
        name="Sex workers in structured support",
        better="higher",
        baseline_start=date(2024, 3, 1),
        baseline_end=date(2024, 3, 31),
        baseline_value=18,
    )
    monthly(indicator, [30], by=world.coordinator, start=(2024, 4))

    sign_in(page, world.peer)
    page.goto(f"/p/{slug}/strategy/")
    axe_check(page)
    page.get_by_role("link", name="Propose an action").click()
    axe_check(page)
    page.get_by_label("Priority").select_option(label="Support and health")
    page.get_by_label("What should be done?").fill("Evening opening at the outreach hub")
    page.get_by_label("Why, and what difference it would make (optional)").fill("Most of us work late.")
    page.get_by_role("button", name="Propose the action").click()
    page.locator("h1", has_text="Evening opening at the outreach hub").wait_for()
    action = Action.objects.get(title="Evening opening at the outreach hub")
    assert action.status.stage == ActionStatus.Stage.PROPOSED and action.proposed_by == world.peer

    page.context.clear_cookies()
    sign_in(page, world.coordinator)
    page.goto(f"/p/{slug}/strategy/actions/{action.pk}/")
    page.get_by_role("link", name="Agree, merge or decline").click()
    axe_check(page)
    page.get_by_label("Agreed status").select_option(index=1)
    page.get_by_role("button", name="Agree the action").click()
    page.locator("h1", has_text="Evening opening at the outreach hub").wait_for()
    page.goto(f"/p/{slug}/strategy/actions/{action.pk}/themes/")
    axe_check(page)
    page.get_by_label("Outreach hubs").check()
    page.get_by_label("Support services").check()
    page.get_by_role("button", name="Save the themes").click()
    page.locator("h1", has_text="Evening opening at the outreach hub").wait_for()
    action.refresh_from_db()
    assert action.status.stage == ActionStatus.Stage.AGREED
    assert set(action.themes.values_list("name", flat=True)) == {"Outreach hubs", "Support services"}

    page.get_by_role("link", name="Post an update").click()
    axe_check(page)
    page.get_by_label("What happened").fill("The hub now opens until 10pm on Tuesdays and Thursdays.")
    page.get_by_label("New progress (optional)").fill("40")
    page.get_by_role("button", name="Post the update").click()
    page.get_by_text("The update is posted.").wait_for()
    page.locator("main").get_by_text("The hub now opens until 10pm on Tuesdays and Thursdays.").first.wait_for()
    axe_check(page)
    action.refresh_from_db()
    assert action.progress == 40 and action.updates.count() == 1

    page.goto(f"/p/{slug}/strategy/indicators/{indicator.pk}/")
    page.get_by_role("link", name="Add a measurement").click()
    page.get_by_label("First day of the period").fill("2024-05-01")
    page.get_by_label("Last day of the period").fill("2024-05-31")
    page.get_by_label("Value").fill("49")
    page.get_by_role("button", name="Save measurement").click()
    page.locator("[data-indicator-chart] circle[data-value='49']").wait_for()
    axe_check(page)
    assert page.locator("[data-indicator-table]").get_by_role("rowheader", name="May 2024").is_visible()
