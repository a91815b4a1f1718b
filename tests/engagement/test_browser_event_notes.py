"""Event notes in a real browser, at phone and desk widths, with axe: the facilitator of a held
event writes the notes, redacts a name and submits; the coordinator releases them; the analyst
reads the event Document in the corpus without the name."""

import re

import pytest

from coproduction.models import Document, Event
from tests.engagement.factories import held_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_write_redact_submit_release_and_read(page, world, sign_in, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    slug = world.project.slug
    event = held_event(world)
    sign_in(page, world.peer)
    page.goto(f"/p/{slug}/engagement/{event.pk}/")
    page.get_by_role("link", name="Write the notes").click()
    page.wait_for_url(re.compile(r"/notes/$"))
    axe_check(page)
    page.get_by_label("Anything else").fill("She came with her friend Maria Lopez. The path lighting is poor.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Check before submitting").wait_for()
    axe_check(page)
    while page.get_by_role("button", name=re.compile(r"^Redact")).count():
        page.get_by_role("button", name=re.compile(r"^Redact")).first.click()
        page.get_by_text("Redacted.").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Notes sent for review.").wait_for()

    page.context.clear_cookies()
    sign_in(page, world.coordinator)
    page.goto(f"/p/{slug}/engagement/")
    page.get_by_role("link", name=re.compile("Review the notes of")).click()
    axe_check(page)
    assert page.get_by_text("Resolution log").count() == 1
    page.get_by_role("button", name="Release into the corpus").click()
    page.get_by_text(re.compile("released into the corpus")).wait_for()
    axe_check(page)

    document = Document.objects.get(pk=Event.objects.get(pk=event.pk).document_id)
    page.context.clear_cookies()
    sign_in(page, world.analyst)
    page.goto(f"/p/{slug}/analysis/documents/{document.pk}/")
    axe_check(page)
    body = page.locator("main").inner_text()
    assert "The path lighting is poor." in body and "Maria Lopez" not in body
