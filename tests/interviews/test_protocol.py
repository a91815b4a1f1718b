"""Recording the distress protocol's use on an interview: choices only, all or nothing; the
follow-up call's neutral reminder (time frozen); the dashboards until the call is done; the
debrief offered through the check-in; who sees the records."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduction.models import AuditEvent, Notification
from coproduction.notifications import delivery
from coproduction.participation.actions import withdraw_participant
from interviews.models import Interview, ProtocolUse
from tests.interviews.factories import completed_interview, make_interview
from tests.signposting.factories import protocol_use, service, steps
from wellbeing.models import CheckIn, SessionRequest, SupportSession

pytestmark = pytest.mark.django_db

# Wednesday 10 June 2026, 11:00 in London (BST).
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def _url(name, world, **kwargs):
    return reverse(f"interviews:{name}", kwargs={"slug": world.project.slug, **kwargs})


def _form(world, **change):
    data = {
        "stage_reached": str(steps(world.project)[1].pk),
        "interview_ended": "yes",
        "offered": ["break", "card"],
        "follow_up": "yes",
        "follow_up_on": "2026-06-12",
    }
    return {key: value for key, value in (data | change).items() if value is not None}


@pytest.fixture
def held(world):
    with time_machine.travel(NOW, tick=False):
        return completed_interview(world)


# ---------------------------------------------------------------- recording


def test_the_interviewer_records_the_protocols_use_and_gets_a_neutral_reminder_on_the_day(
    world, held, client_for, django_capture_on_commit_callbacks
):
    hub = service(world.project)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.peer).post(
            _url("protocol_use", world, pk=held.pk), _form(world, services=[str(hub.pk)], offered=["card", "break"])
        )
    assert response.status_code == 302
    use = ProtocolUse.objects.get()
    assert use.stage_reached.title == "Pause or end" and use.interview_ended and use.recorded_by == world.peer
    assert use.offered == ["break", "card"] and list(use.services.all()) == [hub]
    assert use.follow_up_on == date(2026, 6, 12)
    reminder = Notification.objects.get(template="call-reminder")
    # 09:00 in London on the agreed day (08:00 UTC in summer), to the interviewer only.
    assert reminder.due_at == datetime(2026, 6, 12, 8, 0, tzinfo=UTC) and reminder.recipient == world.peer
    assert reminder.about_type == "interviews.protocoluse" and reminder.starts_at is None
    message = delivery.render_message("call-reminder", {"sign_in_url": "https://example.org/"})
    assert message.subject == "A call to make today"
    assert message.text.startswith("You have a call to make today. Sign in for details.")
    assert AuditEvent.objects.filter(action="protocol.used", object_id=str(use.pk)).exists()
    # The debrief offer reached the interviewer's check-in (wellbeing listened to the signal).
    check_in = CheckIn.objects.get(interview=held)
    assert check_in.person == world.peer and check_in.debrief_open


def test_the_reminder_goes_on_the_day_and_not_once_the_call_is_done(world, held, client_for):
    with time_machine.travel(NOW, tick=False):
        use = protocol_use(held, follow_up_on=date(2026, 6, 12))
    with time_machine.travel(datetime(2026, 6, 12, 7, 59, tzinfo=UTC), tick=False):
        assert delivery.claim_due_notifications(queue=False) == []
    with time_machine.travel(datetime(2026, 6, 12, 8, 0, tzinfo=UTC), tick=False):
        claimed = delivery.claim_due_notifications(queue=False)
    assert Notification.objects.filter(pk__in=claimed, template="call-reminder").count() == 1

    with time_machine.travel(NOW, tick=False):
        other = protocol_use(completed_interview(world), follow_up_on=date(2026, 6, 15))
        response = client_for(world.peer).post(_url("follow_up_done", world, pk=other.pk))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.follow_up_done_at == NOW and other.follow_up_done_by == world.peer
    assert Notification.objects.about(other).get().status == Notification.Status.CANCELLED
    assert Notification.objects.about(use).get().status == Notification.Status.SENDING


def test_a_call_agreed_for_later_today_has_no_reminder_but_is_on_the_dashboard(world, held, client_for):
    with time_machine.travel(NOW, tick=False):
        protocol_use(held, follow_up_on=date(2026, 6, 10))
        body = client_for(world.peer).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    assert not Notification.objects.filter(template="call-reminder").exists()
    assert "Follow-up calls to make" in body.content.decode()


def test_overdue_calls_stay_on_the_coordinators_dashboard_until_marked_done(world, held, client_for):
    with time_machine.travel(NOW, tick=False):
        use = protocol_use(held, follow_up_on=date(2026, 6, 11))
    dashboard = reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False):
        body = client_for(world.coordinator).get(dashboard).content.decode()
        assert "Follow-up calls to make" in body and "Overdue" in body and str(world.peer) in body
        listed = client_for(world.coordinator).get(_url("follow_ups", world)).content.decode()
        assert "11 Jun 2026" in listed and "Overdue" in listed and "Mark done" not in listed  # the interviewer marks it
        # Coordinators read; only the interviewer marks the call done.
        assert client_for(world.coordinator).post(_url("follow_up_done", world, pk=use.pk)).status_code == 403
        client_for(world.peer).post(_url("follow_up_done", world, pk=use.pk), {"next": "follow_ups"})
        assert "Follow-up calls to make" not in client_for(world.coordinator).get(dashboard).content.decode()
        assert "No calls to make." in client_for(world.coordinator).get(_url("follow_ups", world)).content.decode()


def test_marking_a_call_done_twice_or_on_someone_elses_record_changes_nothing(world, held, client_for):
    with time_machine.travel(NOW, tick=False):
        use = protocol_use(held, follow_up_on=date(2026, 6, 11))
    client_for(world.peer).post(_url("follow_up_done", world, pk=use.pk))
    first = ProtocolUse.objects.get().follow_up_done_at
    assert client_for(world.peer).post(_url("follow_up_done", world, pk=use.pk)).status_code == 404
    assert ProtocolUse.objects.get().follow_up_done_at == first
    with time_machine.travel(NOW, tick=False):
        other = protocol_use(completed_interview(world, interviewer=world.second_peer), follow_up_on=date(2026, 6, 11))
    assert client_for(world.peer).post(_url("follow_up_done", world, pk=other.pk)).status_code == 404
    assert ProtocolUse.objects.get(pk=other.pk).follow_up_done_at is None


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"follow_up_on": ""}, "follow_up_on", "Enter the day of the follow-up call."),
        ({"follow_up_on": "2026-06-09"}, "follow_up_on", "cannot be in the past"),
        ({"follow_up_on": "2026-12-31"}, "follow_up_on", "within 90 days"),
        ({"follow_up_on": "9999-12-31"}, "follow_up_on", "Enter a date between"),
        ({"follow_up_on": "soon"}, "follow_up_on", "Enter the day as a date"),
        ({"follow_up": None}, "follow_up", "Say whether a follow-up call was agreed."),
        ({"interview_ended": "maybe"}, "interview_ended", "Say whether the interview ended."),
        ({"stage_reached": None}, "stage_reached", "Choose the step you reached."),
        ({"stage_reached": "99999999999999999999"}, "stage_reached", "Choose the step you reached."),
        ({"offered": ["a cup of tea"]}, "offered", "Choose what was offered from the list."),
        ({"services": ["99999999999999999999"]}, "services", "Choose services from the directory."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(world, held, client_for, change, field, message):
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.peer).post(_url("protocol_use", world, pk=held.pk), _form(world, **change))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field]), response.context["form"].errors
    assert not ProtocolUse.objects.exists() and not Notification.objects.filter(template="call-reminder").exists()
    assert not CheckIn.objects.filter(debrief_offered_at__isnull=False).exists()
    # What was chosen stays chosen.
    assert response.context["form"]["offered"].value() == _form(world, **change).get("offered")


def test_another_projects_step_or_service_is_refused(world, held, client_for):
    theirs = steps(world.other_project)[0]
    their_service = service(world.other_project)
    with time_machine.travel(NOW, tick=False):
        client = client_for(world.peer)
        step = client.post(_url("protocol_use", world, pk=held.pk), _form(world, stage_reached=str(theirs.pk)))
        services = client.post(_url("protocol_use", world, pk=held.pk), _form(world, services=[str(their_service.pk)]))
    assert step.context["form"].errors["stage_reached"] and services.context["form"].errors["services"]
    assert not ProtocolUse.objects.exists()


def test_the_follow_up_date_is_ignored_when_no_call_was_agreed(world, held, client_for):
    with time_machine.travel(NOW, tick=False):
        client_for(world.peer).post(_url("protocol_use", world, pk=held.pk), _form(world, follow_up="no"))
    assert ProtocolUse.objects.get().follow_up_on is None
    assert not Notification.objects.filter(template="call-reminder").exists()


@pytest.mark.parametrize("status", [Interview.Status.CANCELLED, Interview.Status.NO_SHOW, "not started"])
def test_an_interview_that_did_not_take_place_cannot_have_a_record(world, client_for, status):
    with time_machine.travel(NOW, tick=False):
        if status == "not started":
            interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
        else:
            interview = make_interview(
                world.project, world.peer, booked_by=world.coordinator, status=status, starts_in=-timedelta(hours=3)
            )
        client = client_for(world.peer)
        page = client.get(_url("protocol_use", world, pk=interview.pk)).content.decode()
        client.post(_url("protocol_use", world, pk=interview.pk), _form(world))
        detail = client.get(_url("detail", world, pk=interview.pk)).content.decode()
    assert ("has not started yet" in page) or ("did not take place" in page)
    assert not ProtocolUse.objects.exists()
    assert "Record that you used the protocol" not in detail
    assert "Stop and check" in detail  # the steps are on the interview page all the same


# ---------------------------------------------------------------- who sees the records


def test_records_are_seen_by_the_interviewer_and_coordinators_only(world, held, client_for):
    with time_machine.travel(NOW, tick=False):
        protocol_use(held, follow_up_on=date(2026, 6, 12), offered=["end"])
    detail = _url("detail", world, pk=held.pk)
    for person in (world.peer, world.coordinator):
        body = client_for(person).get(detail).content.decode()
        assert "The protocol was used" in body and "To end the interview" in body
    for person in (world.second_peer, world.analyst, world.supervisor):
        assert client_for(person).get(detail).status_code in (403, 404)
        assert not ProtocolUse.objects.visible_to(person, world.project).exists()
    assert not ProtocolUse.objects.visible_to(world.outsiders["coordinator"], world.project).exists()
    listed = client_for(world.second_peer).get(_url("follow_ups", world)).content.decode()
    assert "No calls to make." in listed


def test_the_coordinator_cannot_record_for_the_interviewer(world, held, client_for):
    response = client_for(world.coordinator).post(_url("protocol_use", world, pk=held.pk), _form(world))
    assert response.status_code == 403 and not ProtocolUse.objects.exists()


def test_another_researchers_interview_is_not_found(world, client_for):
    theirs = completed_interview(world, interviewer=world.second_peer)
    assert client_for(world.peer).post(_url("protocol_use", world, pk=theirs.pk), _form(world)).status_code == 404


def test_the_follow_up_list_keeps_its_query_count_as_calls_grow(world, client_for):
    with time_machine.travel(NOW, tick=False):
        client = client_for(world.coordinator)
        protocol_use(completed_interview(world), follow_up_on=date(2026, 6, 12))
        client.get(_url("follow_ups", world))
        with CaptureQueriesContext(connection) as few:
            client.get(_url("follow_ups", world))
        for _ in range(4):
            protocol_use(completed_interview(world, interviewer=world.second_peer), follow_up_on=date(2026, 6, 13))
        with CaptureQueriesContext(connection) as many:
            response = client.get(_url("follow_ups", world))
    assert len(many) == len(few) and len(response.context["page"].object_list) == 5


def test_withdrawal_erases_the_records_and_cancels_the_reminder(world, held):
    with time_machine.travel(NOW, tick=False):
        use = protocol_use(held, follow_up_on=date(2026, 6, 12))
        summary = withdraw_participant(held.participant, by=world.coordinator)
    assert summary.get("records of the distress protocol") == 1
    assert not ProtocolUse.objects.exists()
    assert Notification.objects.about(use).get().status == Notification.Status.CANCELLED


# ---------------------------------------------------------------- the debrief offer


def test_the_check_in_offers_a_debrief_and_yes_asks_the_coordinators_for_one(
    world, held, client_for, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        protocol_use(held)
    check_in = CheckIn.objects.get(interview=held)
    url = reverse("wellbeing:check_in", kwargs={"slug": world.project.slug, "pk": check_in.pk})
    client = client_for(world.peer)
    assert "a debrief with someone from the support team is offered" in client.get(url).content.decode()
    client.post(url, {"score": "6", "wants_debrief": "on"})
    check_in.refresh_from_db()
    assert check_in.completed_at and check_in.debrief_answered_at and not check_in.debrief_open
    request = SessionRequest.objects.get(requested_by=world.peer)
    assert request.kind == SupportSession.Kind.DEBRIEF


def test_a_check_in_already_answered_is_asked_again_about_the_debrief_only(
    world, held, client_for, django_capture_on_commit_callbacks
):
    from wellbeing import actions as wellbeing_actions

    check_in = wellbeing_actions.ask_for_check_in(held)
    wellbeing_actions.complete_check_in(check_in, score=8, wants_to_talk=False, private_note="fine")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        protocol_use(held)
        protocol_use(held)  # used twice on one interview: offered once
    check_in.refresh_from_db()
    assert check_in.debrief_open and check_in.score == 8
    url = reverse("wellbeing:check_in", kwargs={"slug": world.project.slug, "pk": check_in.pk})
    client = client_for(world.peer)
    page = client.get(url)
    assert "score" not in page.context["form"].fields and "wants_debrief" in page.context["form"].fields
    client.post(url, {})
    check_in.refresh_from_db()
    assert not check_in.debrief_open and check_in.score == 8 and check_in.private_note == "fine"
    assert not SessionRequest.objects.exists()
    assert client.get(url).status_code == 404  # nothing left to answer
