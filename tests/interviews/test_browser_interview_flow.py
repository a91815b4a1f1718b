"""The whole gate in a real browser: book → notes with PII → submit refused → redact →
submit → coordinator releases → analyst reads the Document on the analysis pages without the
PII. axe on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from interviews.models import Interview
from tests.interviews.factories import guide_for, venue_for
from tests.participation.factories import consenting_participant

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "020 7946 0018"
EMAIL = "jo.bloggs@example.org"


def test_book_write_redact_release_and_read(page, world, sign_in, axe_check):
    project = world.project
    guide_for(project)
    venue_for(project)
    participant = consenting_participant(project, world.coordinator)
    slug = project.slug

    # A peer researcher books their own interview.
    sign_in(page, world.peer)
    page.goto(f"/p/{slug}/interviews/book/")
    axe_check(page)
    page.get_by_label("Participant").select_option(label=f"{participant.code} ({participant.cohort})")
    starts = timezone.localtime(timezone.now() + timedelta(days=2), project.tzinfo)
    page.get_by_label("Start (date and time)").fill(starts.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Venue").select_option(label="North hub")
    page.get_by_role("button", name="Book interview").click()
    page.wait_for_url(re.compile(r"/interviews/\d+/$"))
    axe_check(page)
    interview = Interview.objects.get()

    # Time passes: the interview has taken place.
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    page.reload()
    page.get_by_role("button", name="Mark completed").click()
    page.get_by_role("link", name="Write the notes").click()
    page.wait_for_url(re.compile(r"/notes/$"))
    axe_check(page)

    first = page.get_by_label("How safe do the streets feel at night?")
    first.fill(f"Lamps out by the canal. She said call {PHONE}.")
    # Autosave reaches the server without the Save button.
    page.get_by_text(re.compile(r"Saved at \d\d:\d\d")).wait_for()
    page.get_by_label("Anything else").fill(f"Write to {EMAIL} about the drop-in.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Check before submitting").wait_for()
    axe_check(page)

    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text(re.compile("not resolved")).first.wait_for()
    assert Interview.objects.get().notes.status == "writing"

    for _ in range(2):
        page.get_by_role("button", name=re.compile(r"^Redact")).first.click()
        page.get_by_text("Redacted.").wait_for()
    assert page.get_by_text("Check before submitting").count() == 0
    axe_check(page)
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Notes sent for review.").wait_for()

    # The coordinator reviews and releases.
    page.context.clear_cookies()
    sign_in(page, world.coordinator)
    page.goto(f"/p/{slug}/interviews/review/")
    axe_check(page)
    page.get_by_role("link", name=participant.code).click()
    axe_check(page)
    assert page.get_by_text("Resolution log").count() == 1
    page.get_by_role("button", name="Release into the corpus").click()
    page.get_by_text(re.compile("released into the corpus")).wait_for()

    axe_check(page)

    # The analyst reads the anonymised Document in the analysis corpus.
    page.context.clear_cookies()
    sign_in(page, world.analyst)
    page.goto(f"/p/{slug}/analysis/documents/")
    axe_check(page)
    page.get_by_role("link", name=re.compile(participant.code)).click()
    page.wait_for_url(re.compile(r"/analysis/documents/\d+/$"))
    axe_check(page)
    body = page.locator("main").inner_text()
    assert "Lamps out by the canal" in body and "[PHONE]" in body and "[EMAIL]" in body
    assert PHONE not in body and EMAIL not in body
    assert page.goto(f"/p/{slug}/interviews/{interview.pk}/").status == 403
