"""Booking, rescheduling and cancelling support sessions; clashes; reminders; calendar files."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coproduction.models import AuditEvent, Notification
from interviews.models import Interview
from tests.wellbeing.factories import interview, provider, session
from wellbeing.models import SessionRequest, SupervisionNote, SupportSession

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, GMT


def url(name, world, **kwargs):
    return reverse(f"wellbeing:{name}", kwargs={"slug": world.project.slug, **kwargs})


def booking(world, **overrides):
    data = {
        "kind": SupportSession.Kind.SUPERVISION_ONE,
        "provider": "",
        "attendees": [world.peer.pk],
        "day": "2026-03-05",
        "start": "10:00",
        "end": "11:00",
        "location": "Room 2",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_coordinator_books_a_session_and_reminders_are_written(world, client_for, supervisor_provider):
    client = client_for(world.coordinator)
    response = client.post(url("session_new", world), booking(world, provider=supervisor_provider.pk))
    session = SupportSession.objects.get()
    assert response.status_code == 302
    assert session.starts_at == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    assert list(session.attendees.all()) == [world.peer]
    reminders = Notification.objects.about(session).pending()
    assert {n.recipient for n in reminders} == {world.peer, world.supervisor}
    assert {n.template for n in reminders} == {"appointment-reminder"}
    assert {n.due_at for n in reminders} == {datetime(2026, 3, 4, 10, 0, tzinfo=UTC)}
    assert all(n.starts_at == session.starts_at and n.ends_at == session.ends_at for n in reminders)
    assert AuditEvent.objects.filter(action="support_session.booked", object_id=str(session.pk)).exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end": "09:00"}, "The end time must be after the start time."),
        ({"day": "2026-03-01"}, "Choose a date and time in the future."),
        ({"attendees": []}, "This field is required."),
        ({"day": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_booking_is_refused_and_keeps_what_was_typed(world, client_for, overrides, message):
    response = client_for(world.coordinator).post(url("session_new", world), booking(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Room 2"' in response.content.decode()
    assert not SupportSession.objects.exists()
    assert not Notification.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_one_to_one_takes_one_person_and_psychotherapy_needs_a_psychotherapist(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(url("session_new", world), booking(world, attendees=[world.peer.pk, world.second_peer.pk]))
    assert "A 1-1 session has one person attending." in response.content.decode()
    trainer = provider(kind="trainer", name="Trainer")
    response = client.post(url("session_new", world), booking(world, kind="psychotherapy", provider=trainer.pk))
    assert "Choose a psychotherapist for psychotherapy." in response.content.decode()
    assert not SupportSession.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_clash_with_the_attendees_interview_is_refused(world, client_for):
    interview(world.project, world.peer, starts_at=datetime(2026, 3, 5, 10, 30, tzinfo=UTC))
    response = client_for(world.coordinator).post(url("session_new", world), booking(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{world.peer} has an interview on 5 Mar 2026 from 10:30 to 11:30." in body
    assert "SW-" not in body  # the participant is never named
    assert not SupportSession.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_clash_with_another_session_but_not_with_cancelled_or_adjacent_things(world, client_for):
    start = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    client = client_for(world.coordinator)
    other = session(world.project, [world.peer], booked_by=world.coordinator, starts_at=start + timedelta(minutes=30))
    response = client.post(url("session_new", world), booking(world))
    assert "already has an appointment on 5 Mar 2026 from 10:30 to 11:30" in response.content.decode()

    other.status = SupportSession.Status.CANCELLED
    other.save()
    interview(world.project, world.peer, starts_at=start - timedelta(hours=1))  # ends as this one starts
    interview(world.project, world.peer, starts_at=start, status=Interview.Status.CANCELLED)
    interview(world.project, world.second_peer, starts_at=start)  # somebody else's
    response = client.post(url("session_new", world), booking(world))
    assert response.status_code == 302
    assert SupportSession.objects.booked().count() == 1


@time_machine.travel(NOW, tick=False)
def test_reschedule_moves_reminders_and_tells_attendees(world, client_for):
    client = client_for(world.coordinator)
    client.post(url("session_new", world), booking(world))
    item = SupportSession.objects.get()
    form = client.get(url("session_edit", world, pk=item.pk)).content.decode()
    assert 'value="2026-03-05"' in form and 'value="10:00"' in form and f'value="{world.peer.pk}" checked' in form
    response = client.post(url("session_edit", world, pk=item.pk), booking(world, day="2026-03-06", start="14:00", end="15:00"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.starts_at == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    pending = Notification.objects.about(item).pending().filter(template="appointment-reminder")
    assert [n.due_at for n in pending] == [datetime(2026, 3, 5, 14, 0, tzinfo=UTC)]
    assert Notification.objects.about(item).filter(status="cancelled", template="appointment-reminder").count() == 1
    moved = Notification.objects.about(item).get(template="appointment-moved")
    assert moved.recipient == world.peer and moved.due_at == NOW and moved.starts_at == item.starts_at


@time_machine.travel(NOW, tick=False)
def test_rescheduling_does_not_clash_with_itself(world, client_for):
    client = client_for(world.coordinator)
    client.post(url("session_new", world), booking(world))
    item = SupportSession.objects.get()
    response = client.post(url("session_edit", world, pk=item.pk), booking(world, end="11:30"))
    assert response.status_code == 302
    assert Notification.objects.filter(template="appointment-moved").count() == 1  # the end moved


@time_machine.travel(NOW, tick=False)
def test_cancel_cancels_reminders_and_tells_attendees(world, client_for):
    client = client_for(world.coordinator)
    client.post(url("session_new", world), booking(world))
    item = SupportSession.objects.get()
    assert client.post(url("session_cancel", world, pk=item.pk)).status_code == 302
    item.refresh_from_db()
    assert item.status == SupportSession.Status.CANCELLED
    assert not Notification.objects.about(item).pending().filter(template="appointment-reminder").exists()
    cancelled = Notification.objects.about(item).get(template="appointment-cancelled")
    assert cancelled.recipient == world.peer
    # A cancelled session can be neither cancelled again nor changed.
    assert client.post(url("session_cancel", world, pk=item.pk)).status_code == 404
    assert client.get(url("session_edit", world, pk=item.pk)).status_code == 404


def test_booking_across_the_clocks_going_back(world, client_for):
    """Clocks go back on Sunday 25 October 2026 at 02:00 BST. A session at 12:00 GMT that day
    gets its reminder 24 elapsed hours earlier: 12:00 UTC on the 24th, which is 13:00 BST."""
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=UTC), tick=False):
        client_for(world.coordinator).post(
            url("session_new", world), booking(world, day="2026-10-25", start="12:00", end="13:00")
        )
    item = SupportSession.objects.get()
    assert item.starts_at == datetime(2026, 10, 25, 12, 0, tzinfo=UTC)  # GMT: local = UTC
    reminder = Notification.objects.about(item).get()
    assert reminder.due_at == datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert reminder.due_at.astimezone(world.project.tzinfo).hour == 13


def test_booking_across_the_clocks_going_forward(world, client_for):
    """Clocks go forward on Sunday 29 March 2026 at 01:00 GMT: 10:00 BST is 09:00 UTC."""
    with time_machine.travel(datetime(2026, 3, 20, 9, 0, tzinfo=UTC), tick=False):
        client_for(world.coordinator).post(
            url("session_new", world), booking(world, day="2026-03-30", start="10:00", end="11:00")
        )
    item = SupportSession.objects.get()
    assert item.starts_at == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert Notification.objects.about(item).get().due_at == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)


def test_calendar_file_has_a_neutral_title(world, client_for, supervisor_provider):
    item = session(world.project, [world.peer], booked_by=world.coordinator, kind="psychotherapy", provider=supervisor_provider)
    response = client_for(world.peer).get(url("session_calendar", world, pk=item.pk))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:Appointment" in body
    for word in ["therapy", "supervision", "Room 2", "Dr Test", str(world.peer)]:
        assert word.lower() not in body.lower()


def test_peer_requests_a_session_and_coordinator_books_it(world, client_for):
    response = client_for(world.peer).post(url("request_new", world), {"kind": "psychotherapy", "preferred_times": "Mornings"})
    assert response.status_code == 302
    request = SessionRequest.objects.get()
    client = client_for(world.coordinator)
    page = client.get(url("home", world)).content.decode()
    assert "Mornings" in page
    form = client.get(url("session_new", world) + f"?request={request.pk}").content.decode()
    assert f'value="{world.peer.pk}" checked' in form
    data = booking(world, kind="psychotherapy", day=(datetime.now(UTC) + timedelta(days=3)).date().isoformat())
    assert client.post(url("session_new", world) + f"?request={request.pk}", data).status_code == 302
    request.refresh_from_db()
    assert request.session is not None
    assert not SessionRequest.objects.open().exists()


def test_request_with_a_bad_kind_is_refused(world, client_for):
    response = client_for(world.peer).post(url("request_new", world), {"kind": "training"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SessionRequest.objects.exists()


def test_coordinator_declines_a_request_of_their_project_only(world, client_for):
    mine = SessionRequest.objects.create(project=world.project, requested_by=world.peer, kind="debrief")
    theirs = SessionRequest.objects.create(
        project=world.other_project, requested_by=world.outsiders["peer_researcher"], kind="debrief"
    )
    client = client_for(world.coordinator)
    assert client.post(url("request_decline", world, pk=theirs.pk)).status_code == 404
    assert client.post(url("request_decline", world, pk=mine.pk)).status_code == 302
    assert not SessionRequest.objects.filter(project=world.project).open().exists()
    assert SessionRequest.objects.filter(project=world.other_project).open().exists()


def test_supervisor_records_attendance_and_writes_notes_for_own_sessions_only(world, client_for, supervisor_provider):
    past = timezone_now() - timedelta(hours=2)
    mine = session(world.project, [world.peer], booked_by=world.coordinator, provider=supervisor_provider, starts_at=past)
    someone_else = provider(name="Another supervisor")
    theirs = session(world.project, [world.peer], booked_by=world.coordinator, provider=someone_else, starts_at=past)
    client = client_for(world.supervisor)
    assert client.post(url("session_attendance", world, pk=mine.pk), {"attended": "yes"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == SupportSession.Status.ATTENDED
    assert client.post(url("session_attendance", world, pk=theirs.pk), {"attended": "yes"}).status_code == 404
    assert client.get(url("session_detail", world, pk=theirs.pk)).status_code == 404
    assert client.post(url("session_notes", world, pk=theirs.pk), {"text": "x"}).status_code == 404

    assert client.post(url("session_notes", world, pk=mine.pk), {"text": ""}).status_code == 200
    assert not SupervisionNote.objects.exists()
    assert client.post(url("session_notes", world, pk=mine.pk), {"text": "Pacing and rest."}).status_code == 302
    assert SupervisionNote.objects.get().text == "Pacing and rest."
    assert "Pacing and rest." in client_for(world.peer).get(url("session_detail", world, pk=mine.pk)).content.decode()
    assert "Pacing and rest." not in client_for(world.second_peer).get(url("session_list", world)).content.decode()


def test_attendance_waits_until_the_session_has_started(world, client_for):
    item = session(world.project, [world.peer], booked_by=world.coordinator)
    response = client_for(world.coordinator).post(url("session_attendance", world, pk=item.pk), {"attended": "no"}, follow=True)
    assert "Attendance can be recorded once the session has started." in response.content.decode()
    item.refresh_from_db()
    assert item.status == SupportSession.Status.BOOKED


def test_session_list_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries, supervisor_provider):
    client = client_for(world.coordinator)
    for _ in range(2):
        session(
            world.project,
            [world.peer, world.second_peer],
            booked_by=world.coordinator,
            kind="supervision_group",
            provider=supervisor_provider,
        )
    with django_assert_max_num_queries(20) as few:
        client.get(url("session_list", world))
    for _ in range(20):
        session(
            world.project,
            [world.peer, world.second_peer],
            booked_by=world.coordinator,
            kind="supervision_group",
            provider=supervisor_provider,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("session_list", world))
    assert "22 sessions" in response.content.decode()


def timezone_now():
    from django.utils import timezone

    return timezone.now()


@time_machine.travel(NOW, tick=False)
def test_someone_taken_off_a_session_is_told_it_is_cancelled_for_them(world, client_for):
    client = client_for(world.coordinator)
    client.post(url("session_new", world), booking(world, kind="debrief"))
    item = SupportSession.objects.get()
    data = booking(world, kind="debrief", attendees=[world.second_peer.pk], start="12:00", end="13:00")
    assert client.post(url("session_edit", world, pk=item.pk), data).status_code == 302
    removed = Notification.objects.about(item).get(template="appointment-cancelled")
    assert removed.recipient == world.peer
    assert removed.starts_at == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # the time they had
    moved = Notification.objects.about(item).get(template="appointment-moved")
    assert moved.recipient == world.second_peer
    reminders = Notification.objects.about(item).pending().filter(template="appointment-reminder")
    assert [n.recipient for n in reminders] == [world.second_peer]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("kind", "provider_kind", "ok"),
    [
        ("supervision_1to1", "supervisor", True),
        ("supervision_group", "trainer", False),
        ("training", "trainer", True),
        ("training", "psychotherapist", False),
        ("debrief", "trainer", True),
    ],
)
def test_the_provider_must_fit_the_kind_of_session(world, client_for, kind, provider_kind, ok):
    chosen = provider(kind=provider_kind, name="Someone")
    response = client_for(world.coordinator).post(url("session_new", world), booking(world, kind=kind, provider=chosen.pk))
    assert (response.status_code == 302) is ok
    assert SupportSession.objects.exists() is ok


def test_group_attendance_records_who_came(world, client_for, supervisor_provider):
    past = timezone_now() - timedelta(hours=2)
    group = session(
        world.project,
        [world.peer, world.second_peer],
        booked_by=world.coordinator,
        kind="supervision_group",
        provider=supervisor_provider,
        starts_at=past,
    )
    client = client_for(world.supervisor)
    assert client.post(url("session_attendance", world, pk=group.pk), {"present": [world.peer.pk]}).status_code == 302
    group.refresh_from_db()
    assert group.status == SupportSession.Status.ATTENDED
    assert list(group.absentees.all()) == [world.second_peer]
    client.post(url("session_notes", world, pk=group.pk), {"text": "Group themes"})
    assert "Group themes" in client_for(world.peer).get(url("session_detail", world, pk=group.pk)).content.decode()
    # Someone who did not come does not read what was said.
    assert "Group themes" not in client_for(world.second_peer).get(url("session_detail", world, pk=group.pk)).content.decode()
    # Nobody came: not attended, and nobody is an absentee of a session that was not held.
    client = client_for(world.supervisor)
    assert client.post(url("session_attendance", world, pk=group.pk), {}).status_code == 302
    group.refresh_from_db()
    assert group.status == SupportSession.Status.DID_NOT_ATTEND and not group.absentees.exists()
    # Someone not booked on it cannot be marked present.
    client.post(url("session_attendance", world, pk=group.pk), {"present": [world.coordinator.pk]})
    group.refresh_from_db()
    assert group.status == SupportSession.Status.DID_NOT_ATTEND


@time_machine.travel(NOW, tick=False)
def test_the_provider_cannot_be_double_booked_even_across_projects(world, client_for, supervisor_provider):
    start = datetime(2026, 3, 5, 10, 30, tzinfo=UTC)
    other_peer = world.outsiders["peer_researcher"]
    session(
        world.other_project, [other_peer], booked_by=world.outsiders["coordinator"], starts_at=start, provider=supervisor_provider
    )
    response = client_for(world.coordinator).post(url("session_new", world), booking(world, provider=supervisor_provider.pk))
    body = response.content.decode()
    assert "Dr Test already has an appointment on 5 Mar 2026 from 10:30 to 11:30." in body
    assert str(other_peer) not in body  # nothing about the other project's people
    assert not SupportSession.objects.filter(project=world.project).exists()


def test_sessions_waiting_for_attendance_are_listed_for_coordinator_and_provider(world, client_for, supervisor_provider):
    past = session(
        world.project,
        [world.peer],
        booked_by=world.coordinator,
        provider=supervisor_provider,
        starts_at=timezone_now() - timedelta(hours=3),
    )
    link = url("session_detail", world, pk=past.pk)
    for user in [world.coordinator, world.supervisor]:
        page = client_for(user).get(url("home", world)).content.decode()
        assert "Attendance to record" in page and link in page
    client_for(world.coordinator).post(url("session_attendance", world, pk=past.pk), {"attended": "yes"})
    assert "Attendance to record" not in client_for(world.coordinator).get(url("home", world)).content.decode()


def test_session_list_filters(world, client_for):
    soon = session(world.project, [world.peer], booked_by=world.coordinator, kind="debrief")
    past = session(
        world.project,
        [world.second_peer],
        booked_by=world.coordinator,
        starts_at=timezone_now() - timedelta(days=3),
        status="attended",
    )
    client = client_for(world.coordinator)

    def listed(**query):
        body = client.get(url("session_list", world), query).content.decode()
        return {item.pk for item in (soon, past) if url("session_detail", world, pk=item.pk) in body}

    assert listed() == {soon.pk, past.pk}
    assert listed(when="upcoming") == {soon.pk}
    assert listed(when="past") == {past.pk}
    assert listed(status="attended") == {past.pk}
    assert listed(person=world.peer.pk) == {soon.pk}
    assert listed(person=world.outsiders["peer_researcher"].pk) == {soon.pk, past.pk}  # not a choice: ignored
    # A peer researcher has no "who" filter and sees only their own sessions anyway.
    peer_page = client_for(world.peer).get(url("session_list", world)).content.decode()
    assert 'name="person"' not in peer_page


# Midday, so that the edited booking's end (start + 1 h, typed as a time of day) never runs past
# midnight: run between 23:00 and midnight, the form would read it as ending before it starts.
@time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False)
def test_notes_wait_for_the_session_and_keep_it_a_supervision_session(world, client_for, supervisor_provider):
    future = session(world.project, [world.peer], booked_by=world.coordinator, provider=supervisor_provider)
    assert client_for(world.supervisor).post(url("session_notes", world, pk=future.pk), {"text": "Too early"}).status_code == 404
    started = session(
        world.project,
        [world.peer],
        booked_by=world.coordinator,
        provider=supervisor_provider,
        starts_at=(timezone_now() - timedelta(minutes=5)).replace(second=0, microsecond=0),
    )
    assert client_for(world.supervisor).post(url("session_notes", world, pk=started.pk), {"text": "Notes"}).status_code == 302
    start = timezone.localtime(started.starts_at, world.project.tzinfo)
    data = booking(
        world,
        kind="psychotherapy",
        day=start.date().isoformat(),
        start=f"{start:%H:%M}",
        end=f"{start + timedelta(hours=1):%H:%M}",
    )
    response = client_for(world.coordinator).post(url("session_edit", world, pk=started.pk), data)
    assert "This session has supervision notes, so it stays a supervision session." in response.content.decode()
    started.refresh_from_db()
    assert started.kind == SupportSession.Kind.SUPERVISION_ONE
