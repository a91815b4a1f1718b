"""Autosave conflicts in a real browser, and axe on the other pages of participants and interviews."""

import re

import pytest

from coproduction.models import Participant
from interviews import actions
from tests.interviews.factories import completed_interview, guide_for, make_interview, venue_for
from tests.participation.factories import consenting_participant, information_sheet

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_editors_autosave_conflict_loses_neither_text(page, world, sign_in, axe_check):
    interview = completed_interview(world)
    actions.open_draft(interview, by=world.peer)
    sign_in(page, world.peer)
    notes_url = f"/p/{world.project.slug}/interviews/{interview.pk}/notes/"
    other = page.context.new_page()
    page.goto(notes_url)
    other.goto(notes_url)

    page.get_by_label("What would help?").fill("Typed on the laptop.")
    page.get_by_text(re.compile(r"Saved at \d\d:\d\d")).wait_for()

    other.get_by_label("What would help?").fill("Typed on the phone.")
    other.get_by_text(re.compile("changed elsewhere")).wait_for()
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_role("heading", name="The saved version").wait_for()
    assert "Typed on the laptop." in other.locator("[data-conflict-saved]").inner_text()
    assert other.get_by_label("What would help?").input_value() == "Typed on the phone."
    axe_check(other)
    other.get_by_label("What would help?").fill("Typed on the laptop. Typed on the phone.")
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text(re.compile(r"Saved at \d\d:\d\d")).first.wait_for()
    assert other.get_by_label("What would help?").input_value() == "Typed on the laptop. Typed on the phone."


def test_participant_and_interview_pages_pass_axe(page, world, sign_in, axe_check):
    slug = world.project.slug
    information_sheet(world.project)
    guide_for(world.project)
    venue_for(world.project)
    participant = consenting_participant(world.project, world.coordinator)
    Participant.objects.create(project=world.project, code="R-001", cohort="Resident")
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator, participant=participant)
    sign_in(page, world.coordinator)
    for path in [
        f"/p/{slug}/participants/",
        f"/p/{slug}/participants/new/",
        f"/p/{slug}/participants/{participant.pk}/",
        f"/p/{slug}/participants/{participant.pk}/consent/",
        f"/p/{slug}/participants/{participant.pk}/withdraw/",
        f"/p/{slug}/participants/information-sheets/",
        f"/p/{slug}/participants/deny-list/",
        f"/p/{slug}/participants/attributes/",
        f"/p/{slug}/interviews/",
        f"/p/{slug}/interviews/week/",
        f"/p/{slug}/interviews/{interview.pk}/",
        f"/p/{slug}/interviews/{interview.pk}/move/",
        f"/p/{slug}/interviews/{interview.pk}/flag/",
        f"/p/{slug}/interviews/venues/",
        f"/p/{slug}/interviews/topic-guide/",
        f"/p/{slug}/",
    ]:
        assert page.goto(path).status == 200, path
        axe_check(page)
    # A form with errors keeps what was typed and passes too.
    page.goto(f"/p/{slug}/participants/deny-list/")
    page.get_by_role("button", name="Add to the deny-list").click()
    page.get_by_text("There is a problem").first.wait_for()
    axe_check(page)
