"""The peer researcher's phone view (the protocol and the services to call) fits a 320 px
screen and passes axe, at 320 px and 1280 px; recording the protocol's use works in a real
browser, and the pocket card prints on an A6 sheet with the services only."""

import re

import pytest
from django.urls import reverse

from interviews.models import ProtocolUse
from tests.interviews.factories import completed_interview
from tests.signposting.factories import service

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_the_phone_view_and_the_record_form_fit_a_phone_and_pass_axe(page, world, sign_in, axe_check):
    service(world.project)
    service(world.project, "Wexcombe Women's Advice Line", phone="+448081570202", address="", walk_in=False)
    interview = completed_interview(world)
    slug = {"slug": world.project.slug}
    phone_view = reverse("signposting:phone", kwargs=slug)
    record = reverse("interviews:protocol_use", kwargs={**slug, "pk": interview.pk})
    sign_in(page, world.peer)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for address in (phone_view, record, reverse("signposting:card", kwargs=slug)):
            assert page.goto(address).status == 200
            axe_check(page)
            assert page.evaluate(FITS), (width, address, page.evaluate("document.documentElement.scrollWidth"))
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(phone_view)
    call = page.get_by_role("link", name="Call 020 7946 0101 (Riverside Night Hub)")
    assert call.get_attribute("href") == "tel:+442079460101"
    assert call.bounding_box()["height"] >= 44  # easy to tap

    page.goto(record)
    page.get_by_label("Pause or end").check()
    page.get_by_role("group", name="Did the interview end there?").get_by_label("Yes").check()
    page.get_by_label("The pocket card").check()
    page.get_by_label("Riverside Night Hub").check()
    page.get_by_role("group", name="Did you agree a follow-up call?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save the record").click()
    # No date for the call: the message says so and every choice is still made.
    assert page.locator(".govuk-error-summary").get_by_text("Enter the day of the follow-up call.").is_visible()
    assert page.get_by_label("Pause or end").is_checked() and page.get_by_label("The pocket card").is_checked()
    axe_check(page)
    assert not ProtocolUse.objects.exists()
    page.get_by_role("group", name="Did you agree a follow-up call?").get_by_label("No").check()
    page.get_by_role("button", name="Save the record").click()
    assert page.get_by_text("Recorded. A debrief is offered to you").is_visible()
    assert page.get_by_role("table", name="The protocol was used").is_visible()
    axe_check(page)
    assert page.evaluate(FITS)
    assert ProtocolUse.objects.get().stage_reached.title == "Pause or end"


def test_the_pocket_card_prints_on_an_a6_sheet(page, world, sign_in):
    for n in range(3):
        service(world.project, f"Service {n}")
    sign_in(page, world.coordinator)
    page.goto(reverse("signposting:card", kwargs={"slug": world.project.slug}))
    page.emulate_media(media="print")
    assert not page.locator(".cg-header").is_visible() and not page.locator(".cg-no-print").is_visible()
    # A6 is 105 × 148 mm: 298 × 420 points.
    boxes = re.findall(rb"/MediaBox \[([^\]]*)\]", page.pdf(prefer_css_page_size=True))
    assert boxes and all([round(float(n)) for n in box.split()] == [0, 0, 298, 420] for box in boxes), boxes
    assert page.get_by_role("heading", name="Service 2").is_visible()
