"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

Loaded for every test (pyproject's addopts). Put browser tests in tests/<app>/test_browser_*.py;
they are marked `browser` automatically. Fixtures:

- `page`: a fresh browser page (one context per test, so cookies never leak between tests).
- `sign_in(page, user)`: signs the page in as `user` without the sign-in form (fast).
- `sign_in_with_form(page, user, password, totp_secret=None)`: through allauth's pages,
  computing the TOTP code the way an authenticator app would.
- `axe_check(page)`: runs axe-core (WCAG 2.0/2.1/2.2 A and AA) on the page and fails on any
  serious or critical violation, listing them (wcag22aa includes the 24 px target-size rule).
  A context that visits many pages can load axe-core once with
  `context.add_init_script(axe.axe_script)`; the check then skips injecting it.
- `url(path)`: the live server's address for a path.
- `follow_menu_link(page, name)`: follows a link in the project's menu, opening the menu first
  when it is folded behind its "Menu" button (below 641 px), as a person on a phone would.

Only Debian's /usr/bin/chromium is used: never a downloaded browser build.
"""

import os
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe, AxeResults

# Django is imported inside the fixtures: this plugin loads before Django is set up.

CHROMIUM = Path("/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.nodeid.split("::")[0]).name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's chromium at /usr/bin/chromium: `make test` installs it as root.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM checks would refuse.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def url(live_server):
    return lambda path: f"{live_server.url}{path}"


@pytest.fixture
def sign_in(live_server):
    """Give the page a signed-in session for `user` (MFA counts as done for enrolled users)."""

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def sign_in_as(page, user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        host = live_server.url.split("://", 1)[1].split(":")[0]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "domain": host, "path": "/"}]
        )
        return page

    return sign_in_as


def totp_code(secret: str) -> str:
    """The code an authenticator app would show now."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = 30
    # The server accepts the current 30-second step only (no tolerance, as in production): a
    # code computed in the last moments of a step could expire before the request lands.
    remaining = period - time.time() % period
    if remaining < 3:
        time.sleep(remaining + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


@pytest.fixture
def sign_in_with_form():
    def sign_in_as(page, user, password, totp_secret=None):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        if totp_secret:
            page.get_by_label("Code").fill(totp_code(totp_secret))
            page.get_by_role("button", name="Sign in").click()
        return page

    return sign_in_as


def follow_menu_link(page, name: str) -> None:
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    page.get_by_role("navigation", name="Project pages").get_by_role("link", name=name, exact=True).click()


@pytest.fixture(scope="session")
def axe():
    return Axe()


def _scan_the_loaded_page(page, axe, options, attempts=3):
    """Run axe on the page once it has loaded.

    A check often follows a click on a link: the next page may have begun to load
    and have no document yet, which axe reports as an error of its own. The scan
    waits for the load and, if a navigation still cut it short, scans again.
    """
    from playwright.sync_api import Error

    for attempt in range(attempts):
        page.wait_for_load_state("load")
        try:
            if page.evaluate("typeof window.axe === 'object'"):  # preloaded by an init script
                return AxeResults(page.evaluate("options => axe.run(options)", options))
            return axe.run(page, options=options)
        except Error as error:
            navigating = "documentElement" in str(error) or "Execution context was destroyed" in str(error)
            if not navigating or attempt == attempts - 1:
                raise
            time.sleep(0.2)


@pytest.fixture
def axe_check(axe):
    def check(page):
        # wcag22aa includes "target-size" (WCAG 2.2 2.5.8: touch targets of 24 px).
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        results = _scan_the_loaded_page(page, axe, options)
        violations = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations
        )
        assert not violations, f"axe found serious/critical violations on {page.url}:\n{report}"
        return results

    return check
