"""Voucher stock arithmetic: in stock, given, expiring within 30 days, expired; one query for
the totals and one for the batches, however many codes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduction.models import Voucher, VoucherBatch
from coproduction.models.vouchers import stock_counts
from tests.engagement.factories import held_event
from tests.vouchers.factories import batch, give

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)


def totals(project):
    return Voucher.objects.filter(project=project).counts(TODAY)


@time_machine.travel(NOW, tick=False)
def test_in_stock_given_expiring_and_expired_add_up(world):
    later = batch(world.project, world.coordinator, codes=4, expires_on=TODAY + timedelta(days=31), prefix="LATE")
    soon = batch(world.project, world.coordinator, codes=3, expires_on=TODAY + timedelta(days=30), prefix="SOON")
    gone = batch(world.project, world.coordinator, codes=2, expires_on=TODAY + timedelta(days=5), prefix="GONE")
    VoucherBatch.objects.filter(pk=gone.pk).update(expires_on=TODAY - timedelta(days=1))
    event = held_event(world)
    give("event", event, world.coordinator)  # takes the batch expiring first: "soon"
    give("event", event, world.coordinator)

    assert totals(world.project) == {"in_stock": 5, "given": 2, "expiring": 1, "expired": 2}
    rows = {
        b.pk: (b.in_stock, b.given, b.expiring, b.expired)
        for b in VoucherBatch.objects.annotate(**stock_counts(TODAY, through="vouchers__", expiry="expires_on"))
    }
    assert rows == {later.pk: (4, 0, 0, 0), soon.pk: (1, 2, 1, 0), gone.pk: (0, 0, 0, 2)}


@time_machine.travel(NOW, tick=False)
def test_a_voucher_is_in_stock_on_its_expiry_day_and_expired_the_day_after(world):
    batch(world.project, world.coordinator, codes=1, expires_on=TODAY)
    assert totals(world.project) == {"in_stock": 1, "given": 0, "expiring": 1, "expired": 0}
    assert Voucher.objects.counts(TODAY + timedelta(days=1)) == {"in_stock": 0, "given": 0, "expiring": 0, "expired": 1}


@time_machine.travel(NOW, tick=False)
def test_a_given_voucher_is_never_counted_as_expired(world):
    voucher_batch = batch(world.project, world.coordinator, codes=1, expires_on=TODAY + timedelta(days=2))
    give("event", held_event(world), world.coordinator)
    VoucherBatch.objects.filter(pk=voucher_batch.pk).update(expires_on=TODAY - timedelta(days=10))
    assert totals(world.project) == {"in_stock": 0, "given": 1, "expiring": 0, "expired": 0}


@time_machine.travel(NOW, tick=False)
def test_other_projects_stock_is_not_counted(world):
    batch(world.other_project, world.outsiders["coordinator"], codes=5)
    batch(world.project, world.coordinator, codes=1)
    assert totals(world.project)["in_stock"] == 1


@time_machine.travel(NOW, tick=False)
def test_the_stock_page_shows_the_counts_in_constant_queries(world, client_for):
    client = client_for(world.coordinator)
    url = f"/p/{world.project.slug}/vouchers/"
    batch(world.project, world.coordinator, codes=2, prefix="A")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    for n in range(6):
        batch(world.project, world.coordinator, codes=5, prefix=f"B{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    body = response.content.decode()
    assert 'data-count="in_stock">32<' in body
    assert "Expiring within 30 days" in body


def test_the_list_of_thank_yous_pages_in_constant_queries(world, client_for):
    client = client_for(world.coordinator)
    url = f"/p/{world.project.slug}/vouchers/given/"
    batch(world.project, world.coordinator, codes=30)
    event = held_event(world)
    give("event", event, world.coordinator)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(27):
        give("event", event, world.coordinator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert "Page 1 of 2" in response.content.decode()
