"""Every page of the strategy and publishing, for the roles that open them, fits a 320 px
screen without scrolling sideways and passes axe: a coordinator's, an analyst's and a peer
researcher's view of the same demo-like project."""

import pytest
from django.urls import reverse

from coproduction.models import ActionUpdate
from coproduction.publication import actions
from tests.publication.factories import composed
from tests.strategy.factories import make_indicator, monthly

pytestmark = pytest.mark.django_db(transaction=True)

# The element reaching furthest right, to say in the failure what sticks out.
WIDEST = """() => {
  let widest = null, right = 0;
  for (const el of document.querySelectorAll('main *')) {
    const box = el.getBoundingClientRect();
    if (box.right > right && getComputedStyle(el).position !== 'absolute') { right = box.right; widest = el; }
  }
  return widest ? `${widest.tagName.toLowerCase()}.${widest.className} ${Math.round(right)}px` : '';
}"""


def _pages(world, publication, action, indicator, version):
    slug = {"slug": world.project.slug}
    strategy = [
        ("strategy:plan", {}),
        ("strategy:action", {"pk": action.pk}),
        ("strategy:overview", {}),
        ("strategy:indicators", {}),
        ("strategy:indicator", {"pk": indicator.pk}),
    ]
    coordinator_only = [
        ("strategy:settings", {}),
        ("strategy:priorities", {}),
        ("strategy:owners", {}),
        ("strategy:statuses", {}),
        ("strategy:action_change", {"pk": action.pk}),
        ("strategy:update", {"pk": action.pk}),
        ("strategy:import", {}),
        ("strategy:export", {}),
        ("strategy:unanswered", {}),
        ("publication:overview", {}),
        ("publication:compose", {}),
        ("publication:themes", {}),
        ("publication:preview", {}),
        ("publication:versions", {}),
        ("publication:case_study", {"number": version.number}),
        ("notes:review_list", {}),
    ]
    return {
        "coordinator": [reverse(name, kwargs={**slug, **kw}) for name, kw in strategy + coordinator_only],
        "analyst": [
            reverse(name, kwargs={**slug, **kw})
            for name, kw in [*strategy, ("strategy:unanswered", {}), ("publication:preview", {})]
        ],
        "peer": [reverse(name, kwargs={**slug, **kw}) for name, kw in [*strategy, ("strategy:propose", {})]],
        "anonymous": [reverse("publication_public:latest", kwargs={"public_id": publication.public_id})],
    }


def test_strategy_and_publishing_pages_fit_a_phone_for_every_role(page, world, sign_in, axe_check):
    publication, _, action = composed(world.project, world.analyst)
    ActionUpdate.objects.create(action=action, text="The first hub opened on a Tuesday evening.", author=world.coordinator)
    indicator = make_indicator(world.project, name="Reports of anti-social behaviour to the police")
    monthly(indicator, [40, 38, 35], by=world.coordinator)
    publication.indicators.add(indicator)
    version = actions.publish(publication, by=world.coordinator)
    pages = _pages(world, publication, action, indicator, version)
    page.set_viewport_size({"width": 320, "height": 800})
    wide = []
    for role, person in [
        ("anonymous", None),
        ("coordinator", world.coordinator),
        ("analyst", world.analyst),
        ("peer", world.peer),
    ]:
        page.context.clear_cookies()
        if person is not None:
            sign_in(page, person)
        for address in pages[role]:
            response = page.goto(address)
            assert response.status == 200, (role, address, response.status)
            axe_check(page)
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                widest = page.evaluate(WIDEST)
                wide.append((role, address, page.evaluate("document.documentElement.scrollWidth"), widest))
    assert not wide, wide
