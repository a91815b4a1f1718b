"""Every foundation page a coordinator uses passes axe (WCAG 2.2 AA), and a failed form keeps
what was typed in the real browser."""

import pytest

from coproduction.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_pages_pass_axe(page, project, sign_in, axe_check):
    coordinator = member(project, Role.COORDINATOR, display_name="Rowan")
    member(project, Role.PEER_RESEARCHER, display_name="Alex")
    sign_in(page, coordinator)
    for path in ["", "members/", "audit/", "settings/"]:
        page.goto(f"/p/{project.slug}/{path}")
        assert page.locator("h1").count() == 1
        axe_check(page)
    page.goto("/?all=1")
    axe_check(page)
    page.goto("/account/")
    axe_check(page)


def test_an_invitation_with_a_bad_email_shows_the_error_summary_and_keeps_the_role(page, project, sign_in, axe_check):
    coordinator = member(project, Role.COORDINATOR)
    sign_in(page, coordinator)
    page.goto(f"/p/{project.slug}/members/")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Role", exact=True).select_option("analyst")
    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter a valid email address." in summary.inner_text()
    assert page.get_by_label("Email address").input_value() == "not-an-email"
    assert page.get_by_label("Role", exact=True).input_value() == "analyst"
    axe_check(page)
