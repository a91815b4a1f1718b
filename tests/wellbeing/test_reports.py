"""The coordinators' counts-only summary, in HTML and PDF."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from coproduction.models import AuditEvent
from tests.wellbeing.factories import session
from wellbeing.models import CheckIn, SupportSession
from wellbeing.reports import local_only_fetcher, summary_rows

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def url(world, name="report"):
    return reverse(f"wellbeing:{name}", kwargs={"slug": world.project.slug})


@pytest.fixture
def history(world):
    status = SupportSession.Status
    for when, state in [(-10, status.ATTENDED), (-9, status.CANCELLED), (-8, status.DID_NOT_ATTEND), (2, status.BOOKED)]:
        session(world.project, [world.peer], booked_by=world.coordinator, starts_at=NOW + timedelta(days=when), status=state)
    session(world.project, [world.peer], booked_by=world.coordinator, starts_at=NOW - timedelta(days=200), status=status.ATTENDED)
    session(world.other_project, [world.peer], booked_by=world.coordinator, starts_at=NOW - timedelta(days=3))
    group = session(
        world.project,
        [world.peer, world.second_peer],
        booked_by=world.coordinator,
        starts_at=NOW - timedelta(days=6),
        status=status.ATTENDED,
    )
    group.absentees.set([world.peer])
    CheckIn.objects.create(
        project=world.project, person=world.peer, requested_at=NOW - timedelta(days=5), completed_at=NOW, score=9
    )
    CheckIn.objects.create(
        project=world.project,
        person=world.peer,
        requested_at=NOW - timedelta(days=4),
        completed_at=NOW,
        score=1,
        private_note="Not for the report",
        alert_raised_at=NOW,
        alert_acknowledged_at=NOW,
        alert_acknowledged_by=world.coordinator,
    )
    CheckIn.objects.create(project=world.project, person=world.peer, requested_at=NOW - timedelta(days=1))


@time_machine.travel(NOW, tick=False)
def test_summary_counts_per_person_in_the_period(world, history):
    start, end = NOW - timedelta(days=30), NOW + timedelta(days=30)
    rows = {row["person"]: row for row in summary_rows(world.project, start, end)}
    assert rows[str(world.peer)] == {
        "person": str(world.peer),
        "offered": 5,
        "attended": 1,
        "cancelled": 1,
        "missed": 2,  # one 1-1 not attended, one group session missed
        "check_ins_asked": 3,
        "check_ins_completed": 2,
        "alerts": 1,
        "acknowledged": 1,
    }
    assert (rows[str(world.second_peer)]["offered"], rows[str(world.second_peer)]["attended"]) == (1, 1)
    assert str(world.coordinator) not in rows


@time_machine.travel(NOW, tick=False)
def test_html_report_shows_counts_only(world, history, client_for):
    response = client_for(world.coordinator).get(url(world), {"date_from": "2026-04-20", "date_to": "2026-06-20"})
    body = response.content.decode()
    assert response.status_code == 200
    assert str(world.peer) in body
    assert "Not for the report" not in body and "Room 2" not in body


@time_machine.travel(NOW, tick=False)
def test_bad_period_is_refused(world, client_for):
    response = client_for(world.coordinator).get(url(world), {"date_from": "2026-06-20", "date_to": "2026-04-20"})
    assert "The end date must be on or after the start date." in response.content.decode()
    pdf = client_for(world.coordinator).get(url(world, "report_pdf"), {"date_from": "2026-06-20", "date_to": "2026-04-20"})
    assert pdf.status_code == 302


@time_machine.travel(NOW, tick=False)
def test_pdf_report_is_audited(world, history, client_for):
    response = client_for(world.coordinator).get(url(world, "report_pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="support_report.exported", project=world.project, actor=world.coordinator).exists()


def test_report_is_for_coordinators_only(world, client_for):
    for role in ["peer_researcher", "analyst", "supervisor"]:
        assert client_for(world.members[role]).get(url(world, "report_pdf")).status_code == 403


def test_pdf_fetcher_refuses_the_network():
    fetcher = local_only_fetcher()
    for address in ["https://example.org/tracker.png", "http://127.0.0.1/x.css", "file:///etc/passwd"]:
        with pytest.raises(ValueError):
            fetcher.fetch(address)
