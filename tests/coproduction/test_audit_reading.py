"""The audit log reads in words (actions and each object's pseudonymous label); its CSV export
keeps the codes. Only coordinators read either; nothing in it is content."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduction.audit import describe_action, record
from coproduction.models import AuditEvent
from tests.interviews.factories import make_interview
from tests.wellbeing.factories import alert, session

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def url(world, name="audit"):
    return reverse(f"coproduction:{name}", kwargs={"slug": world.project.slug})


def test_actions_read_as_words():
    assert describe_action("check_in.alert_acknowledged") == "Check-in: alert acknowledged"
    assert describe_action("support_session.attendance_recorded") == "Support session: attendance recorded"
    assert describe_action("strategy.action.imported") == "Strategy: action imported"
    assert describe_action("odd") == "Odd"


@time_machine.travel(NOW, tick=False)
def test_the_log_shows_readable_actions_and_pseudonymous_labels(world, client_for):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator, starts_in=timedelta(days=4, hours=9))
    booking = session(world.project, [world.peer], booked_by=world.coordinator, starts_at=NOW + timedelta(days=2))
    check_in = alert(world.project, world.peer, note="A private note nobody else reads")
    record(world.coordinator, "interview.rescheduled", interview)
    record(world.coordinator, "participant.viewed", interview.participant)
    record(world.coordinator, "support_session.booked", booking)
    record(world.coordinator, "check_in.alert_acknowledged", check_in)
    page = client_for(world.coordinator).get(url(world)).content.decode()
    assert "Check-in: alert acknowledged" in page and "Interview: rescheduled" in page
    assert "Interview, 5 Dec 2026" in page and interview.participant.code in page
    assert f"{booking.get_kind_display()}, 3 Dec 2026" in page
    assert "check_in.alert_acknowledged" not in page.split("<table", 1)[1]
    assert "wellbeing.supportsession" not in page and "A private note" not in page
    # The filter lists actions in words too, and still filters by code.
    assert '<option value="check_in.alert_acknowledged">Check-in: alert acknowledged</option>' in page
    filtered = client_for(world.coordinator).get(url(world), {"action": "participant.viewed"}).content.decode()
    assert "Participant: viewed" in filtered and "Interview, 5 Dec" not in filtered


def test_an_object_since_removed_says_so(world, client_for):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    record(world.coordinator, "interview.booked", interview)
    interview.delete()
    assert "Interview (since removed)" in client_for(world.coordinator).get(url(world)).content.decode()


def test_labels_cost_one_query_per_kind_of_object(world, client_for):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client_for(world.coordinator).get(url(world)).status_code == 200
        return len(captured)

    for _ in range(2):
        record(world.coordinator, "interview.booked", make_interview(world.project, world.peer, booked_by=world.coordinator))
    queries()  # the first request of a session costs more
    few = queries()
    for _ in range(8):
        record(world.coordinator, "interview.booked", make_interview(world.project, world.peer, booked_by=world.coordinator))
    assert queries() == few


def test_the_csv_export_keeps_the_codes_applies_the_filters_and_is_audited(world, client_for):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    record(world.coordinator, "interview.booked", interview)
    record(world.coordinator, "participant.viewed", interview.participant)
    record(world.outsiders["coordinator"], "participant.viewed", project=world.other_project)
    response = client_for(world.coordinator).get(url(world, "audit_export"), {"action": "interview.booked"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="riverside-audit-log.csv"'
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["at (UTC)", "actor", "action", "object_type", "object_id"]
    assert [row[2:] for row in rows[1:]] == [["interview.booked", "interviews.interview", str(interview.pk)]]
    assert AuditEvent.objects.filter(action="audit.exported", actor=world.coordinator, project=world.project).exists()


@pytest.mark.parametrize("who", ["peer", "analyst", "supervisor"])
def test_only_coordinators_export_the_log(world, client_for, who):
    assert client_for(getattr(world, who)).get(url(world, "audit_export")).status_code == 403
    assert client_for(world.outsiders["coordinator"]).get(url(world, "audit_export")).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_a_bad_filter_exports_everything_of_the_project_only(world, client_for):
    record(world.coordinator, "interview.booked", make_interview(world.project, world.peer, booked_by=world.coordinator))
    response = client_for(world.coordinator).get(url(world, "audit_export"), {"date_from": "9999-12-31"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert response.status_code == 200 and len(lines) == 2
