"""Publishing in a real browser, with axe: the coordinator composes the pages, the preview
shows a blocking finding (a name in an action's update), it is resolved, the pages are
published; the public page, on a 320 px screen, shows the update with no cookie; the case
study PDF opens."""

import re

import pytest

from coproduction.models import ActionUpdate
from tests.publication.factories import composed

pytestmark = pytest.mark.django_db(transaction=True)


def test_compose_preview_resolve_publish_and_read_on_a_phone(page, world, sign_in, axe_check):
    slug = world.project.slug
    publication, _, action = composed(world.project, world.analyst)
    ActionUpdate.objects.create(
        action=action, text="The first hub opened. Maria Lopez ran the first evening.", author=world.coordinator
    )
    sign_in(page, world.coordinator)
    page.goto(f"/p/{slug}/publication/compose/")
    axe_check(page)
    page.get_by_label("Introduction").fill("Thank you to everyone who talked to us.")
    page.get_by_label("What happens next").fill("The next community conversation is in the spring.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Preview the pages before publishing.").wait_for()
    page.get_by_role("link", name=re.compile("^Preview")).click()
    page.get_by_text("This cannot be published yet").wait_for()
    axe_check(page)
    assert page.get_by_role("button", name="Publish").count() == 0
    while page.get_by_role("button", name="Keep it, with this reason").count():
        page.get_by_label("Why this is not personal information").first.fill("The hub's public volunteer name, agreed")
        page.get_by_role("button", name="Keep it, with this reason").first.click()
        page.get_by_text("Kept, with your reason.").wait_for()
    page.get_by_text("Nothing blocks publishing.").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Version 1 is published.").wait_for()
    axe_check(page)

    pdf = page.request.get(f"/p/{slug}/publication/versions/1/case-study.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"/s/{publication.public_id}/")
    page.get_by_role("heading", name="We did", exact=True).wait_for()
    axe_check(page)
    assert "The first hub opened." in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.context.cookies() == []
