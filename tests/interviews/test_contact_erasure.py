"""Participants' contact details are erased automatically once spent: after the interview
(marked or not) and after the last message to them has gone, or when never used."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from coproduction.models import Notification, Participant
from interviews import actions
from tests.interviews.factories import make_interview
from tests.participation.factories import consenting_participant

pytestmark = pytest.mark.django_db


def with_details(world, **fields):
    return consenting_participant(world.project, world.coordinator, contact_email="p@example.org", wants_reminders=True, **fields)


def details_kept(participant) -> bool:
    participant = Participant.objects.get(pk=participant.pk)
    return participant.contact_email == "p@example.org" and participant.wants_reminders


def test_details_are_kept_while_an_interview_is_to_come(world):
    participant = with_details(world)
    make_interview(world.project, world.peer, booked_by=world.coordinator, participant=participant)
    assert actions.erase_spent_contact_details() == 0
    assert details_kept(participant)


def test_an_interview_nobody_marked_stops_holding_details_a_day_after_it_started(world):
    participant = with_details(world)
    make_interview(
        world.project, world.peer, booked_by=world.coordinator, participant=participant, starts_in=timedelta(hours=-23)
    )
    assert actions.erase_spent_contact_details() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert actions.erase_spent_contact_details() == 1
    assert not details_kept(participant)
    assert Participant.objects.get(pk=participant.pk).contact_email is None


def test_a_message_still_waiting_keeps_the_address_it_needs(world):
    participant = with_details(world)
    interview = make_interview(
        world.project,
        world.peer,
        booked_by=world.coordinator,
        participant=participant,
        status="completed",
        starts_in=-timedelta(days=1),
    )
    Notification.objects.create(
        project=world.project,
        recipient_participant=participant,
        template="appointment-cancelled",
        due_at=timezone.now(),
        idempotency_key="waiting",
        about_type="interviews.interview",
        about_id=str(interview.pk),
    )
    assert actions.erase_spent_contact_details() == 0
    Notification.objects.filter(idempotency_key="waiting").update(status="sent")
    assert actions.erase_spent_contact_details() == 1


def test_details_never_used_for_a_booking_go_after_thirty_days(world):
    participant = with_details(world)
    assert actions.erase_spent_contact_details() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert actions.erase_spent_contact_details() == 1
    assert not details_kept(participant)


def test_participants_without_details_are_left_alone(world):
    consenting_participant(world.project, world.coordinator)
    assert actions.erase_spent_contact_details() == 0
