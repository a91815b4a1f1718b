"""Every page of every role, at a phone's 320 px and a desk's 1280 px: the page never scrolls
sideways and axe finds nothing serious.

The pages come from the URL × role matrix (tests/access.py and each app's access_rules.py), so
a new URL is visited as soon as it has a rule: every GET that the matrix expects a role to open
with a 200, with the objects its Case builds. Downloads (calendars, PDFs, export files) and
anything that is not HTML are left out. One browser page per role and width; the test functions
are split per role × width so two workers share them.
"""

import time

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from tests.access import Case, group_of, load_rules, routes
from tests.conftest import build_world
from tests.test_access_matrix import expected, user_for

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["anonymous", "coordinator", "peer_researcher", "analyst", "supervisor"]
WIDTHS = [320, 1280]

# The elements reaching furthest right, to say in the failure what sticks out.
WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && getComputedStyle(el).position !== 'absolute') {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.right)}px`);
    }
  }
  return out.slice(-3);
}"""


def pages_by_role(world) -> dict[str, list[str]]:
    """Each role's pages: the matrix's GET URLs it expects that role to open (200).

    Public pages are visited by the anonymous visitor only, as their content is the same for
    everyone; pages for any signed-in person, by every role.
    """
    rules = load_rules()
    pages: dict[str, list[str]] = {role: [] for role in ROLES}
    for route in routes():
        if group_of(route.name):
            continue
        case = rules[route.name](world) if route.name in rules else Case()
        if case.method != "get" or 200 not in case.allowed:
            continue
        kwargs = dict(case.kwargs)
        if "slug" in route.keys:
            kwargs.setdefault("slug", world.project.slug)
        address = reverse(route.name, kwargs=kwargs)
        rule = route.callback.access_rule
        for role in ROLES:
            if rule.kind == "public" and role != "anonymous":
                continue
            if expected(rule, role, case) == "allowed":
                pages[role].append(address)
    return pages


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_and_passes_axe(role, width, browser, live_server, sign_in, axe, axe_check):
    world = build_world()
    addresses = pages_by_role(world)[role]
    assert addresses, f"the matrix gives {role} no page"
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(20_000)  # a loaded two-core machine: the matrix page takes seconds
    context.add_init_script(axe.axe_script)  # parsed by the browser on each page, not sent each time
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    user = user_for(world, role)
    if user is not None:
        sign_in(page, user)
    problems, visited, started = [], 0, time.monotonic()
    try:
        for address in addresses:
            try:
                response = page.goto(address)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue
                raise
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            visited += 1
            if response.status != 200:
                problems.append(f"{address}: status {response.status}")
                continue
            try:
                axe_check(page)  # with WCAG 2.2 2.5.8: touch targets of 24 px
            except AssertionError as error:
                problems.append(str(error))
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                problems.append(f"{address}: {scroll_width}px wide at {width}px: {page.evaluate(WIDEST)}")
    finally:
        context.close()
    print(f"{role} at {width}px: {visited} pages in {time.monotonic() - started:.1f}s")
    assert not problems, f"{role} at {width}px:\n" + "\n".join(problems)
