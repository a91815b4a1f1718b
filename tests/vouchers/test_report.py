"""The report to finance: per month (project time) and supplier, counts and totals; declined
counted apart; no participant code, name or voucher code in the page, the CSV or the workbook."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from coproduction.models import AuditEvent
from coproduction.vouchers import actions
from coproduction.vouchers.occasions import occasion_of
from tests.engagement.factories import held_event
from tests.interviews.factories import completed_interview
from tests.vouchers.factories import batch, give

pytestmark = pytest.mark.django_db


def thank_across_two_months(world):
    with time_machine.travel(datetime(2026, 4, 20, 12, 0, tzinfo=UTC), tick=False):
        batch(world.project, world.coordinator, codes=5, supplier="Corner Shop Card", value="20.00")
        batch(world.project, world.coordinator, codes=5, supplier="=HYPERLINK(1)", value="10.50")
        first = completed_interview(world)
        give("interview", first, world.peer)
        give("event", held_event(world), world.coordinator, supplier="=HYPERLINK(1)", value="10.50")
    # 30 April 23:30 UTC is 1 May 00:30 in London: May's.
    with time_machine.travel(datetime(2026, 4, 30, 23, 30, tzinfo=UTC), tick=False):
        second = completed_interview(world)
        give("interview", second, world.peer)
        third = completed_interview(world)
        occasion = occasion_of("interview")
        actions.record_declined(occasion=occasion, subject=third, participant=third.participant, by=world.peer)
    return [first, second, third]


def test_counts_and_totals_per_month_and_supplier(world, client_for):
    interviews = thank_across_two_months(world)
    client = client_for(world.coordinator)
    page = client.get(f"/p/{world.project.slug}/vouchers/report/").content.decode()
    assert "data-total-given>3<" in page and "data-total-value>£50.50<" in page

    csv = client.post(f"/p/{world.project.slug}/vouchers/report/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Month,Supplier,Vouchers,Total value (£)",
        "2026-04,'=HYPERLINK(1),1,10.50",
        "2026-04,Corner Shop Card,1,20.00",
        "2026-05,Corner Shop Card,1,20.00",
        "2026-05,Declined (no voucher used),1,0.00",
        "Total given,,3,50.50",
    ]
    workbook = client.post(f"/p/{world.project.slug}/vouchers/report/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[-1] == ["Total given", None, 3, 50.5]
    assert AuditEvent.objects.filter(action__startswith="voucher_report.export.").count() == 2

    everything = page + csv.content.decode("utf-8-sig") + str(rows)
    for interview in interviews:
        assert interview.participant.code not in everything
    for person in [world.peer, world.coordinator]:
        assert person.display_name not in everything and person.email not in everything
    assert "CODE-" not in everything


def test_the_report_takes_two_queries_however_many_thank_yous(world, django_assert_max_num_queries):
    from coproduction.vouchers.report import finance_report

    thank_across_two_months(world)
    with django_assert_max_num_queries(2):
        finance_report(world.project)
