"""`make screenshots`: the main pages of each role, at 320 px and 1280 px, as PNGs for review.

Not part of the suite (the file name is not test_*.py, so pytest collects it only when named):
it loads the fictional demo project (`seed_demo`) into the test database, signs in as each demo
account and saves a full-page screenshot of the dashboard and every page in that role's menu to
var/screenshots/<width>/<role>-<page>.png (var/ is gitignored), and on a phone the menu open.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from coproduction import navigation
from coproduction.models import Membership, Project, Publication, Role

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = [320, 1280]
ROLES = [Role.COORDINATOR, Role.PEER_RESEARCHER, Role.ANALYST, Role.SUPERVISOR]


@pytest.fixture
def demo_project(settings):
    settings.DEBUG = True  # seed_demo refuses to load otherwise
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    return Project.objects.get(slug="riverside-safety")


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_the_main_pages(width, demo_project, browser, live_server, sign_in):
    folder = OUT / str(width)
    folder.mkdir(parents=True, exist_ok=True)
    for role in ROLES:
        user = Membership.objects.filter(project=demo_project, role=role).order_by("pk").first().user
        context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, user)
        for item in navigation.items_for(role):
            page.goto(reverse(item.url_name, kwargs={"slug": demo_project.slug}))
            name = item.url_name.replace(":", "-").replace("_", "-")
            page.screenshot(path=folder / f"{role}-{name}.png", full_page=True)
        if width < 641:  # the menu folds behind its button on a phone: show it open too
            page.goto(reverse("coproduction:dashboard", kwargs={"slug": demo_project.slug}))
            page.get_by_role("button", name="Menu").click()
            page.screenshot(path=folder / f"{role}-menu-open.png")
        context.close()
    page = browser.new_page(viewport={"width": width, "height": 900})
    public_id = Publication.objects.get(project=demo_project).public_id
    public = {
        "sign-in": reverse("account_login"),
        "public-page": reverse("publication_public:latest", kwargs={"public_id": public_id}),
    }
    for name, address in public.items():
        page.goto(live_server.url + address)
        page.screenshot(path=folder / f"anonymous-{name}.png", full_page=True)
    page.close()
    page_count = len(list(folder.glob("*.png")))
    print(f"{page_count} screenshots in {folder}")
    assert page_count
