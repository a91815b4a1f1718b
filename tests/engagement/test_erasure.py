"""Requests for an individual session are erased 30 days after they are closed (time frozen)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coproduction.engagement.actions import close_session_request, erase_closed_session_requests, note_attempt
from coproduction.engagement.tasks import erase_closed_session_requests as task
from coproduction.models import AuditEvent, IndividualSessionRequest, RequestAttempt
from tests.engagement.factories import session_request

pytestmark = pytest.mark.django_db


def test_a_closed_request_is_erased_after_30_days_and_an_open_one_never(world):
    closed = session_request(world.project)
    still_open = session_request(world.project, name="Kim")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        close_session_request(closed, by=world.coordinator)
    with time_machine.travel(start + timedelta(days=29, hours=23), tick=False):
        assert erase_closed_session_requests() == 0
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        assert erase_closed_session_requests() == 1
        assert erase_closed_session_requests() == 0, "idempotent"
    closed.refresh_from_db()
    assert (closed.name, closed.contact, closed.preferred_time) == (None, None, None) and closed.erased_at
    still_open.refresh_from_db()
    assert still_open.name == "Kim" and still_open.erased_at is None
    assert AuditEvent.objects.filter(action="session_request.erased", object_id=str(closed.pk)).exists()


def test_an_erased_request_is_no_longer_shown(world, client_for):
    request = session_request(
        world.project, status=IndividualSessionRequest.Status.CLOSED, closed_at=timezone.now() - timedelta(days=31)
    )
    erase_closed_session_requests()
    url = reverse("engagement:request", kwargs={"slug": world.project.slug, "pk": request.pk})
    assert client_for(world.coordinator).get(url).status_code == 404


def test_the_command_and_the_task_run_the_same_sweep(world, capsys):
    session_request(world.project, status=IndividualSessionRequest.Status.CLOSED, closed_at=timezone.now() - timedelta(days=31))
    call_command("erase_session_requests")
    assert "1 request(s) erased." in capsys.readouterr().out
    session_request(world.project, status=IndividualSessionRequest.Status.CLOSED, closed_at=timezone.now() - timedelta(days=40))
    assert task() == 1


def test_old_rate_limit_attempts_are_forgotten_and_addresses_are_not_stored(db):
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        note_attempt("203.0.113.9")
    note_attempt("203.0.113.9")
    assert not RequestAttempt.objects.filter(address_hash__contains="203").exists()
    erase_closed_session_requests()
    assert RequestAttempt.objects.count() == 1
