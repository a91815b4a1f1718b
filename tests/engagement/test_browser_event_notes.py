"""The whole engagement journey in a real browser, at phone and desk widths, with axe: a
coordinator plans an event and records attendance and feedback; the facilitator writes the
notes with a name in them, redacts it and submits; the coordinator finds them on the one review
list and releases them; the analyst codes the event Document, which carries no name."""

import re

import pytest

from coproduction.models import Document, Event, Excerpt
from tests.analysis.factories import ThemeFactory
from tests.engagement.test_browser_engagement import WIDTHS, plan_hold_and_count

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_plan_count_write_redact_release_and_code(page, world, sign_in, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    slug = world.project.slug
    theme = ThemeFactory(project=world.project, name="Lighting and infrastructure")
    sign_in(page, world.coordinator)
    event = plan_hold_and_count(page, world, axe_check)

    page.context.clear_cookies()
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
    page.goto(f"/p/{slug}/")
    page.get_by_role("link", name=re.compile("1 waiting for your review")).click()
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"^Community conversation: the canal path")).click()
    axe_check(page)
    assert page.get_by_text("Resolution log").count() == 1
    page.get_by_role("button", name="Release into the corpus").click()
    page.get_by_text(re.compile("released into the corpus")).wait_for()
    axe_check(page)

    document = Document.objects.get(pk=Event.objects.get(pk=event.pk).document_id)
    assert document.source == Document.Source.EVENT and document.participant_id is None
    page.context.clear_cookies()
    sign_in(page, world.analyst)
    page.goto(f"/p/{slug}/analysis/documents/")
    page.get_by_role("link", name=document.title).click()
    axe_check(page)
    body = page.locator("main").inner_text()
    assert "The path lighting is poor." in body and "Maria Lopez" not in body
    # Keyboard coding, as on an interview: choose the sentence, tick the theme, code it.
    page.get_by_label("Passage to code").select_option(label="Sentence: The path lighting is poor.")
    page.get_by_label("Lighting and infrastructure").check()
    page.get_by_role("button", name="Code passage").click()
    page.get_by_text("The passage was coded.").wait_for()
    axe_check(page)
    excerpt = Excerpt.objects.get(document=document)
    assert excerpt.quote == "The path lighting is poor." and excerpt.coder == world.analyst
    assert list(excerpt.codings.values_list("theme", flat=True)) == [theme.pk]
