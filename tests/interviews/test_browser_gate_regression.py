"""The gate on the notes people really type, in a real browser at phone and desk widths:
a first name and surname are one finding, redacting it leaves no half of the name behind, a
placeholder never hides its neighbour, text typed just before "Submit for review" is saved and
checked, and the reviewer sees what was kept with its reason. axe on every page."""

import re

import pytest

from coproduction.models import NotesDraft
from interviews.models import Interview
from tests.interviews.factories import completed_interview

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 320, "height": 800}, "desk": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_names_are_redacted_whole_and_typed_text_is_saved_before_submit(page, world, sign_in, axe_check, width):
    page.set_viewport_size(WIDTHS[width])
    interview = completed_interview(world)
    slug = world.project.slug
    sign_in(page, world.peer)
    page.goto(f"/p/{slug}/interviews/{interview.pk}/notes/")
    axe_check(page)

    page.get_by_label("How safe do the streets feel at night?").fill("her friend Maria Lopez walks her home.")
    page.get_by_label("What would help?").fill("call Dave Smith about the lamps.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Check before submitting").wait_for()
    axe_check(page)
    findings = page.locator(".cg-findings mark").all_inner_texts()
    assert findings == ["Maria Lopez", "Dave Smith"]

    for _ in findings:
        page.get_by_role("button", name=re.compile(r"^Redact")).first.click()
        page.get_by_text("Redacted.").wait_for()
    assert page.get_by_text("Check before submitting").count() == 0
    draft = NotesDraft.objects.get(interview=interview)
    texts = list(draft.sections.values())
    assert "her friend [NAME] walks her home." in texts and "call [NAME] about the lamps." in texts
    assert not any("Lopez" in t or "Smith" in t for t in texts)

    # A surname typed next to a placeholder is found; so is the name typed last, just before
    # Submit, with no time for autosave: the button saves the form first.
    box = page.get_by_label("How safe do the streets feel at night?")
    box.fill("her friend [NAME] Lopez walks her home.")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text(re.compile("not resolved")).first.wait_for()
    axe_check(page)
    assert page.locator(".cg-findings mark").all_inner_texts() == ["Lopez"]
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.WRITING and "her friend [NAME] Lopez walks her home." in draft.sections.values()

    # Kept with a reason (here: a surname the researcher judged safe, as a test).
    page.get_by_label(re.compile("Why this can stay")).fill("Street name of the hostel, not a person")
    page.get_by_role("button", name=re.compile(r"^Keep")).click()
    page.get_by_text("Kept, with your reason in the log.").wait_for()
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Notes sent for review.").wait_for()

    page.context.clear_cookies()
    sign_in(page, world.coordinator)
    page.goto(f"/p/{slug}/interviews/{interview.pk}/review/")
    axe_check(page)
    kept = page.locator(".cg-kept-list").inner_text()
    assert "Lopez" in kept and "Street name of the hostel, not a person" in kept
    assert page.locator("mark.cg-kept").all_inner_texts() == ["Lopez"]
    assert Interview.objects.get(pk=interview.pk).notes.status == NotesDraft.Status.SUBMITTED
