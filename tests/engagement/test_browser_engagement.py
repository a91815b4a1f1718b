"""Engagement in a real browser, at phone and desk widths, with axe: a coordinator plans an
event, it is held, attendance and feedback are recorded, and the reach page shows them; the
public page and request form work without a single cookie."""

from datetime import timedelta

import pytest

from coproduction.models import Event, IndividualSessionRequest, ReachTarget
from tests.browser_fixtures import follow_menu_link
from tests.engagement.factories import listing_for, make_event, venue_for

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


def plan_hold_and_count(page, world, axe_check) -> Event:
    """As the coordinator: plan an event, mark it held, record attendance (a bad count first)
    and the feedback cards. The shared start of the engagement journeys."""
    venue_for(world.project, "Community hall")
    page.goto(f"/p/{world.project.slug}/")
    follow_menu_link(page, "Events")
    page.get_by_role("link", name="Plan an event").click()
    axe_check(page)
    page.get_by_label("Title").fill("Community conversation: the canal path")
    page.get_by_label("Date").fill("2031-03-05")
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("Venue").select_option(label="Community hall")
    page.get_by_label("Resident").check()
    page.get_by_label(world.peer.display_name).first.check()
    page.get_by_label("Capacity (optional)").fill("25")
    page.get_by_label("Step-free access").check()
    page.get_by_role("button", name="Save the event").click()
    page.locator("h1", has_text="Community conversation: the canal path").wait_for()
    axe_check(page)
    event = Event.objects.get(project=world.project)
    # The evening comes and goes.
    Event.objects.filter(pk=event.pk).update(starts_at=event.starts_at.replace(year=2024))
    page.reload()
    page.get_by_role("button", name="Mark as held").click()
    page.get_by_text("is held").wait_for()
    page.get_by_role("link", name="Record attendance").click()
    axe_check(page)
    page.get_by_label("Resident").fill("-3")
    page.get_by_role("button", name="Save attendance").click()
    page.locator(".govuk-error-summary").wait_for()
    axe_check(page)
    page.get_by_label("Resident").fill("14")
    page.get_by_role("button", name="Save attendance").click()
    page.locator("[data-total]", has_text="14").wait_for()
    page.get_by_role("link", name="Record feedback from the cards").click()
    axe_check(page)
    page.get_by_role("group", name="Did you feel listened to?").get_by_label("Yes").fill("10")
    page.get_by_role("group", name="Did you feel listened to?").get_by_label("Partly").fill("4")
    page.get_by_role("group", name="Would you come to another session?").get_by_label("Yes").fill("12")
    page.get_by_role("button", name="Save feedback").click()
    page.locator("[data-trust]", has_text="71% of 14").wait_for()
    return event


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_plan_hold_count_and_see_reach(page, world, sign_in, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    ReachTarget.objects.create(project=world.project, cohort="Resident", target=50)
    sign_in(page, world.coordinator)
    plan_hold_and_count(page, world, axe_check)
    follow_menu_link(page, "Who we have heard from")
    page.locator("[data-reach-table]").wait_for()
    axe_check(page)
    assert page.get_by_role("img", name="People reached so far, by cohort and month, against target").count() == 1
    row = page.locator("[data-reach-table] tr", has_text="Resident")
    assert "14" in row.inner_text() and "28%" in row.inner_text()
    page.get_by_role("link", name="Show for publication (small numbers hidden)").click()
    assert "14" in page.locator("[data-reach-table] tr", has_text="Resident").inner_text()
    axe_check(page)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_public_page_and_request_form_set_no_cookie(page, world, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    listing = listing_for(world.project)
    make_event(world.project, by=world.coordinator, title="Drop-in at the library", starts_in=timedelta(days=4))
    page.goto(f"/sessions/{listing.token}/")
    page.get_by_role("heading", name="Drop-in at the library").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Ask for a session on your own").click()
    axe_check(page)
    page.get_by_label("Your first name or a nickname (optional)").fill("Jay")
    page.get_by_label("An email address or phone number we can reach you on").fill("0770 12")
    page.get_by_label("When suits you?").fill("Weekday evenings")
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-error-summary").wait_for()
    axe_check(page)
    assert page.get_by_label("When suits you?").input_value() == "Weekday evenings"
    page.get_by_label("An email address or phone number we can reach you on").fill("07700 900 982")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    assert page.context.cookies() == []
    assert IndividualSessionRequest.objects.get().contact == "+447700900982"
    assert page.get_by_role("button", name="Exit this page").count() == 1
