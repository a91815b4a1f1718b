"""The event list and the reach page ask the database the same number of times for 3 events or 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.engagement.bench import PAGES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_query_count_is_flat_as_events_grow(world, client, page):
    counts = []
    for n in (3, 27):
        url, user = page.grow(world, n)
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
