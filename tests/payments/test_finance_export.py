"""The finance export: per person and month, total hours, amount and payment method of approved
claims, in CSV and Excel, audited; never a kind of activity, a label or a day."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coproduction.models import ActivityKind, AuditEvent, PaymentMethod, Rate
from coproduction.payments import actions
from tests.payments.factories import approved_claim, rate, submitted_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_april_2026")]
MARCH = date(2026, 3, 1)


def _every_kind_claim(world):
    """An approved claim with one activity of every kind, each labelled."""
    for kind in ActivityKind.values:
        rate(world.project, kind, "10.00", unit=Rate.Unit.HOUR, by=world.coordinator)
    actions.choose_method(project=world.project, person=world.peer, method=PaymentMethod.VOUCHERS)
    claim = actions.open_claim(project=world.project, person=world.peer, month=MARCH)
    for day, kind in enumerate(ActivityKind.values, start=2):
        actions.add_activity(claim, kind=kind, on=MARCH.replace(day=day), hours=Decimal("1.5"), by=world.peer)
    claim.activities.update(label="Distress protocol")
    actions.submit_claim(claim, by=world.peer, confirm_over_limit=True)
    return actions.approve_claim(claim, by=world.coordinator)


def _download(client, world, file_format, first="2026-03", last="2026-03"):
    url = reverse("payments:export", kwargs={"slug": world.project.slug})
    return client.get(url, {"first": first, "last": last, "file_format": file_format})


def _forbidden_words():
    words = set()
    for value, label in ActivityKind.choices:
        words |= {value.lower(), label.lower()}
    return words | {"distress protocol", "interview", "training", "meeting", "preparation", "event", "supervision", "support"}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_has_totals_per_person_and_month_and_never_a_kind_of_activity(world, client_for, file_format):
    _every_kind_claim(world)
    approved_claim(world, person=world.second_peer, hours=("2", "1.25"), method=PaymentMethod.MONEY)
    submitted_claim(world, person=world.members["peer_researcher"], month=date(2026, 2, 1))  # not approved: not exported
    response = _download(client_for(world.coordinator), world, file_format)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "csv":
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Name", "Email", "Month", "Hours", "Amount (£)", "Payment method"]
    data = sorted(
        [name, email, month, Decimal(hours), Decimal(amount), method] for name, email, month, hours, amount, method in rows[1:]
    )
    assert data == sorted(
        [
            [world.second_peer.display_name, world.second_peer.email, "2026-03", Decimal("3.25"), Decimal("32.50"), "Money"],
            [world.peer.display_name, world.peer.email, "2026-03", Decimal("7.50"), Decimal("75.00"), "Vouchers"],
        ]
    )
    text = body.decode("utf-8-sig") if file_format == "csv" else " ".join(" ".join(row) for row in rows)
    found = sorted(word for word in _forbidden_words() if word in text.lower())
    assert not found, f"the finance export names {found}"
    assert AuditEvent.objects.filter(action="payments.exported", project=world.project).count() == 1
    assert f"payments-2026-03-to-2026-03.{file_format}" in response["Content-Disposition"]


def test_the_rows_are_built_from_claim_totals_only(world):
    _every_kind_claim(world)
    rows = list(actions.finance_rows(world.project, MARCH, MARCH))
    assert len(rows) == 2 and len(rows[1]) == 6


def test_a_bad_period_is_refused_with_a_message(world, client_for):
    client = client_for(world.coordinator)
    response = _download(client, world, "csv", first="2026-03", last="2026-01")
    assert response.status_code == 200
    assert "The last month must be the same as or after the first." in response.content.decode()
    assert _download(client, world, "pdf").status_code == 200
    assert not AuditEvent.objects.filter(action="payments.exported").exists()


def test_formula_like_names_are_neutralised(world, client_for):
    world.second_peer.display_name = '=HYPERLINK("http://x")'
    world.second_peer.save()
    approved_claim(world, person=world.second_peer)
    response = _download(client_for(world.coordinator), world, "csv")
    assert "'=HYPERLINK" in b"".join(response.streaming_content).decode("utf-8-sig")
