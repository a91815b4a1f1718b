"""Reminders for events through the outbox: 24 h and 2 h before to facilitators and the
note-taker; move and cancellation notices; for a held event only the notes-overdue reminder
(48 h after it was recorded as held); nothing for cancelled events."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coproduction.models import Event, Notification
from coproduction.notifications import delivery
from tests.engagement.factories import make_event
from tests.engagement.test_events import _plan_data

pytestmark = pytest.mark.django_db


def _pending(event):
    return Notification.objects.pending().filter(about_type="coproduction.event", about_id=str(event.pk))


def _plan(world, client, **overrides):
    client.post(reverse("engagement:plan", kwargs={"slug": world.project.slug}), _plan_data(world, **overrides))
    return Event.objects.get()


def test_planning_schedules_reminders_for_each_facilitator_and_the_note_taker(world, client_for):
    event = _plan(world, client_for(world.coordinator), facilitators=[world.peer.pk, world.coordinator.pk])
    rows = _pending(event).exclude(idempotency_key__startswith="now:")
    assert sorted((r.recipient_id, r.due_at) for r in rows) == sorted(
        (person.pk, event.starts_at - before)
        for person in (world.peer, world.coordinator, world.second_peer)
        for before in (timedelta(hours=24), timedelta(hours=2))
    )
    assert {r.template for r in rows} == {"appointment-reminder"}
    assert all(r.starts_at == event.starts_at and r.ends_at == event.ends_at for r in rows)


def test_a_note_taker_who_also_facilitates_is_reminded_once(world, client_for):
    event = _plan(world, client_for(world.coordinator), note_taker=world.peer.pk)
    assert _pending(event).filter(recipient=world.peer).count() == 2


def test_moving_to_other_people_reschedules_and_tells_those_taken_off(world, client_for):
    client = client_for(world.coordinator)
    event = _plan(world, client)
    old_start = event.starts_at
    data = _plan_data(world, days=7, facilitators=[world.coordinator.pk], note_taker="")
    response = client.post(reverse("engagement:change", kwargs={"slug": world.project.slug, "pk": event.pk}), data)
    assert response.status_code == 302
    event.refresh_from_db()
    reminders = _pending(event).filter(template="appointment-reminder")
    assert {r.recipient_id for r in reminders} == {world.coordinator.pk}
    assert {r.due_at for r in reminders} == {event.starts_at - timedelta(hours=24), event.starts_at - timedelta(hours=2)}
    moved = Notification.objects.filter(template="appointment-moved")
    assert not moved.exists(), "nobody who was on the event is still on it"
    taken_off = Notification.objects.filter(template="appointment-cancelled")
    assert {r.recipient_id for r in taken_off} == {world.peer.pk, world.second_peer.pk}
    assert {r.starts_at for r in taken_off} == {old_start}, "the notice names the time they knew of"


def test_moving_tells_those_still_on_it_and_reminds_those_added(world, client_for):
    client = client_for(world.coordinator)
    event = _plan(world, client)
    data = _plan_data(world, days=8, facilitators=[world.peer.pk, world.coordinator.pk])
    client.post(reverse("engagement:change", kwargs={"slug": world.project.slug, "pk": event.pk}), data)
    event.refresh_from_db()
    moved = Notification.objects.filter(template="appointment-moved")
    assert {r.recipient_id for r in moved} == {world.peer.pk, world.second_peer.pk}
    assert all(r.starts_at == event.starts_at for r in moved)
    assert _pending(event).filter(template="appointment-reminder", recipient=world.coordinator).count() == 2
    assert not Notification.objects.filter(template="appointment-cancelled").exists()


def test_cancelling_cancels_reminders_and_sends_a_cancellation_notice(world, client_for):
    client = client_for(world.coordinator)
    event = _plan(world, client)
    client.post(reverse("engagement:status", kwargs={"slug": world.project.slug, "pk": event.pk}), {"status": "cancelled"})
    assert not _pending(event).filter(template="appointment-reminder").exists()
    notices = Notification.objects.filter(template="appointment-cancelled")
    assert {r.recipient_id for r in notices} == {world.peer.pk, world.second_peer.pk}


def test_an_event_recorded_as_held_gets_no_appointment_reminders_only_the_notes_one(world, client_for):
    event = _plan(world, client_for(world.coordinator), days=-2, already_held="on")
    rows = Notification.objects.filter(about_id=str(event.pk), about_type="coproduction.event")
    assert rows.exists() and {row.template for row in rows} == {"notes-overdue"}
    assert {row.due_at for row in rows} == {event.status_changed_at + timedelta(hours=48)}


def test_the_reminder_email_is_neutral_and_carries_an_appointment_calendar_file(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = make_event(world.project, by=world.coordinator, facilitators=[world.peer], starts_in=timedelta(hours=30))
    from coproduction.engagement.actions import sync_event_reminders

    sync_event_reminders(event)
    row = _pending(event).order_by("due_at").first()
    now = row.due_at + timedelta(seconds=1)
    assert row.pk in delivery.claim_due_notifications(now, queue=False)
    assert delivery.deliver_notification(row.pk, now)
    message = mail.outbox[-1]
    assert "appointment" in message.body and "Community conversation" not in message.body + message.subject
    ics = message.attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "SUMMARY:Appointment" in ics and "coproduction.event" not in ics


def test_the_new_request_notice_says_nothing_of_what_was_asked(world):
    from coproduction.engagement.actions import request_individual_session

    request_individual_session(
        project=world.project, name="Jay", contact="jay@example.org", contact_is_phone=False, preferred_time="x"
    )
    row = Notification.objects.get(template="session-request")
    message = delivery.render_message(row.template, delivery.message_context(row, timezone.now()))
    assert "Jay" not in message.text + message.subject and "session" not in message.subject.lower()
