"""Sign in through the real pages with a TOTP code, land on the dashboard, leave quickly."""

import re

import pytest

from coproduction.models import Role
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_signs_in_with_totp_and_reaches_the_dashboard(page, project, password, sign_in_with_form, axe_check):
    coordinator = member(project, Role.COORDINATOR, display_name="Rowan")

    page.goto("/accounts/login/")
    axe_check(page)
    sign_in_with_form(page, coordinator, password, totp_secret=coordinator.totp_secret)

    page.wait_for_url(re.compile(rf"/p/{project.slug}/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() != ""
    axe_check(page)


def test_wrong_totp_code_keeps_the_person_out(page, project, password, axe_check):
    analyst = member(project, Role.ANALYST)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(analyst.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert "/accounts/2fa/authenticate/" in page.url
    axe_check(page)
    page.goto(f"/p/{project.slug}/")
    # Still at the sign-in stage (password alone is not enough): the project stays closed.
    assert f"/p/{project.slug}/" not in page.url
    assert "/accounts/" in page.url


def test_quick_exit_leaves_the_site(page, project, sign_in, axe_check, settings, live_server):
    # A neutral page elsewhere; here the live server's health check stands in for it.
    settings.QUICK_EXIT_URL = f"{live_server.url}/health/?elsewhere"
    peer = member(project, Role.PEER_RESEARCHER)
    sign_in(page, peer)
    page.goto(f"/p/{project.slug}/")
    axe_check(page)
    page.get_by_role("button", name=re.compile("Exit this page")).click()
    page.wait_for_url("**/health/?elsewhere")
    assert f"/p/{project.slug}/" not in page.url


def test_pages_without_an_account_pass_axe(page, axe_check):
    UserFactory()
    for path in ["/accounts/login/", "/accounts/password/reset/"]:
        page.goto(path)
        axe_check(page)


def test_idle_warning_appears_before_sign_out_and_can_be_dismissed(page, project, sign_in, axe_check):
    peer = member(project, Role.PEER_RESEARCHER)
    sign_in(page, peer)
    page.clock.install()
    page.goto(f"/p/{project.slug}/")
    warning = page.get_by_text("You will be signed out soon")
    assert not warning.is_visible()

    page.clock.fast_forward("28:30")  # 30-minute idle limit, warned two minutes before
    assert warning.is_visible()
    axe_check(page)
    with page.expect_response("**/session/keep-alive/") as renewed:
        page.get_by_role("button", name="Stay signed in").click()
    assert renewed.value.ok
    page.wait_for_function("document.querySelector('[data-idle-warning]').hidden")
    assert not warning.is_visible()


def test_the_page_leaves_for_sign_in_when_the_idle_limit_passes(page, project, sign_in):
    peer = member(project, Role.PEER_RESEARCHER)
    sign_in(page, peer)
    page.clock.install()
    page.goto(f"/p/{project.slug}/")
    page.clock.fast_forward("30:01")
    page.wait_for_url("**/accounts/login/**")
    # Signed out on the server too: the project page now asks for sign-in.
    page.goto(f"/p/{project.slug}/")
    assert "/accounts/login/" in page.url
