"""The action plan and the action page ask the database the same number of times for 3 actions
(with their sub-actions, updates, comments and themes) or 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.strategy.bench import PAGES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_query_count_is_flat_as_actions_grow(world, client, page):
    counts = []
    for n in (3, 30):
        url, user = page.grow(world, n)
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_plan_paginates_by_top_level_action(world, client_for):
    from django.urls import reverse

    from tests.strategy.bench import _grow_plan

    _grow_plan(world, 25)
    client = client_for(world.analyst)
    url = reverse("strategy:plan", kwargs={"slug": world.project.slug})
    first, second = client.get(url), client.get(url, {"page": 2})
    assert len(first.context["page"].object_list) == 20 and len(second.context["page"].object_list) == 5
    assert "Sub-action 0" in first.text and "Step 0" in first.text, "sub-actions come with their top-level action"
    assert "Page 1 of 2" in first.text
