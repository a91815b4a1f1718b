"""Planning, changing, holding and cancelling events; attendance and feedback counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduction.models import AttributeDefinition, AuditEvent, CohortAttendance, Event, EventFeedback
from tests.engagement.factories import held_event, make_event, venue_for

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(f"engagement:{name}", kwargs={"slug": world.project.slug, **kwargs})


def _plan_data(world, *, days=5, **overrides):
    day = timezone.localdate() + timedelta(days=days)
    data = {
        "title": "Community conversation: lighting",
        "kind": Event.Kind.COMMUNITY_CONVERSATION,
        "day": day.isoformat(),
        "start": "18:30",
        "duration_minutes": "90",
        "venue": venue_for(world.project).pk,
        "cohorts": ["Resident"],
        "facilitators": [world.peer.pk],
        "note_taker": world.second_peer.pk,
        "capacity": "25",
        "step_free": "on",
        "creche": "on",
    }
    data.update(overrides)
    return data


def test_a_coordinator_plans_an_event_in_the_project_time_zone(world, client_for):
    response = client_for(world.coordinator).post(_url(world, "plan"), _plan_data(world))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(world, "detail", pk=event.pk)
    local = timezone.localtime(event.starts_at, world.project.tzinfo)
    assert (local.hour, local.minute) == (18, 30)
    assert event.status == Event.Status.PLANNED and list(event.facilitators.all()) == [world.peer]
    assert event.accessibility_list() == ["Step-free access", "Crèche"]
    assert AuditEvent.objects.filter(action="event.planned", object_id=str(event.pk)).exists()


def test_planning_in_the_past_is_refused_but_recording_a_past_event_as_held_is_allowed(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(_url(world, "plan"), _plan_data(world, days=-3))
    assert response.status_code == 200
    assert "The start time is in the past" in response.content.decode()
    assert not Event.objects.exists()
    response = client.post(_url(world, "plan"), _plan_data(world, days=-3, already_held="on"))
    assert response.status_code == 302
    assert Event.objects.get().status == Event.Status.HELD


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cohorts": []}, "This field is required"),
        ({"facilitators": []}, "This field is required"),
        ({"day": "31/02/2027"}, "Enter a date"),
        ({"start": "25:00"}, "Enter a time"),
        ({"duration_minutes": "0"}, "greater than or equal to 15"),
    ],
)
def test_bad_plans_say_why_and_save_nothing(world, client_for, overrides, message):
    response = client_for(world.coordinator).post(_url(world, "plan"), _plan_data(world, **overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Event.objects.exists()


def test_facilitators_must_belong_to_the_project(world, client_for):
    outsider = world.outsiders["peer_researcher"]
    response = client_for(world.coordinator).post(_url(world, "plan"), _plan_data(world, facilitators=[outsider.pk]))
    assert response.status_code == 200 and not Event.objects.exists()


def test_a_peer_sees_only_the_events_they_facilitate_or_take_notes_at(world, client_for):
    mine = make_event(world.project, by=world.coordinator, facilitators=[world.peer], title="Mine")
    noting = make_event(
        world.project, by=world.coordinator, facilitators=[world.second_peer], note_taker=world.peer, title="Noting"
    )
    other = make_event(world.project, by=world.coordinator, facilitators=[world.second_peer], title="Not mine")
    client = client_for(world.peer)
    page = client.get(_url(world, "list")).content.decode()
    assert "Mine" in page and "Noting" in page and "Not mine" not in page
    assert client.get(_url(world, "detail", pk=mine.pk)).status_code == 200
    assert client.get(_url(world, "detail", pk=noting.pk)).status_code == 200
    assert client.get(_url(world, "detail", pk=other.pk)).status_code == 404
    assert client.get(_url(world, "feedback", pk=other.pk)).status_code == 404


def test_a_note_takers_totals_are_not_multiplied_by_the_facilitators(world, client_for):
    event = held_event(world, facilitators=[world.second_peer, world.coordinator], attendance={"Resident": 5})
    event.note_taker = world.peer
    event.save()
    page = client_for(world.peer).get(_url(world, "detail", pk=event.pk)).content.decode()
    assert "data-total>5<" in page


def test_an_outsider_coordinator_cannot_reach_another_projects_event(world, client):
    event = make_event(world.project, by=world.coordinator)
    client.force_login(world.outsiders["coordinator"])
    url = reverse("engagement:detail", kwargs={"slug": world.other_project.slug, "pk": event.pk})
    assert client.get(url).status_code == 404


def test_holding_and_cancelling(world, client_for):
    client = client_for(world.coordinator)
    future = make_event(world.project, by=world.coordinator)
    client.post(_url(world, "status", pk=future.pk), {"status": "held"})
    future.refresh_from_db()
    assert future.status == Event.Status.PLANNED, "an event that has not started cannot be held"
    client.post(_url(world, "status", pk=future.pk), {"status": "cancelled"})
    future.refresh_from_db()
    assert future.status == Event.Status.CANCELLED
    started = make_event(world.project, by=world.coordinator, starts_in=-timedelta(hours=2))
    client.post(_url(world, "status", pk=started.pk), {"status": "held"})
    started.refresh_from_db()
    assert started.status == Event.Status.HELD


# ---------------------------------------------------------------- attendance


def test_attendance_is_counted_per_cohort_and_attribute_and_totals_update_at_once(world, client_for):
    world.project.cohorts = ["Sex worker", "Resident", "Faith leader"]
    world.project.save()
    age = AttributeDefinition.objects.create(project=world.project, name="Age band", choices=["18–34", "35+"])
    event = held_event(world)
    client = client_for(world.coordinator)
    form = client.get(_url(world, "attendance", pk=event.pk)).context["form"]
    names = {field.label: field.html_name for field in form.cohort_fields()}
    bands = [field.html_name for _, fields in form.attribute_fieldsets() for field in fields]
    response = client.post(
        _url(world, "attendance", pk=event.pk),
        {names["Resident"]: "12", names["Faith leader"]: "3", bands[0]: "5", bands[1]: "7"},
    )
    assert response.status_code == 302
    assert dict(event.cohort_attendance.values_list("cohort", "count")) == {"Resident": 12, "Faith leader": 3}
    assert sorted(event.attribute_attendance.values_list("choice", "count")) == [("18–34", 5), ("35+", 7)]
    assert event.attribute_attendance.first().attribute == age
    page = client.get(_url(world, "detail", pk=event.pk)).content.decode()
    assert "data-total>15<" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "Counts cannot be negative"), ("twelve", "Enter a whole number"), ("61", "more than 3 times the capacity of 20")],
)
def test_bad_attendance_is_refused_with_a_clear_message_and_nothing_half_saved(world, client_for, value, message):
    event = held_event(world, attendance={"Resident": 9})
    client = client_for(world.coordinator)
    form = client.get(_url(world, "attendance", pk=event.pk)).context["form"]
    field = form.cohort_fields()[0].html_name
    other = form.cohort_fields()[1].html_name
    response = client.post(_url(world, "attendance", pk=event.pk), {field: value, other: "4"})
    assert response.status_code == 200 and message in response.content.decode()
    assert dict(event.cohort_attendance.values_list("cohort", "count")) == {"Resident": 9}


def test_attendance_of_an_event_not_yet_held_is_refused(world, client_for):
    event = make_event(world.project, by=world.coordinator)
    client = client_for(world.coordinator)
    field = client.get(_url(world, "attendance", pk=event.pk)).context["form"].cohort_fields()[0].html_name
    response = client.post(_url(world, "attendance", pk=event.pk), {field: "5"})
    assert "once the event has been held" in response.content.decode()
    assert not CohortAttendance.objects.exists()


def test_an_individual_session_counts_one(world, client_for):
    event = held_event(world, kind=Event.Kind.INDIVIDUAL, capacity=1, title="Individual session")
    response = client_for(world.coordinator).post(_url(world, "attendance", pk=event.pk), {"cohort": "Resident"})
    assert response.status_code == 302
    assert list(event.cohort_attendance.values_list("cohort", "count")) == [("Resident", 1)]


def test_peers_and_analysts_do_not_record_attendance(world, client_for):
    event = held_event(world)
    assert client_for(world.peer).get(_url(world, "attendance", pk=event.pk)).status_code == 403


# ---------------------------------------------------------------- feedback


def test_the_facilitator_records_feedback_and_the_share_who_felt_listened_to_shows(world, client_for):
    event = held_event(world, attendance={"Resident": 12})
    client = client_for(world.peer)
    response = client.post(
        _url(world, "feedback", pk=event.pk),
        {"listened_yes": "9", "listened_partly": "2", "listened_no": "1", "again_yes": "10", "again_maybe": "", "again_no": "2"},
    )
    assert response.status_code == 302
    feedback = EventFeedback.objects.get(event=event)
    assert (feedback.listened_total, feedback.again_maybe, feedback.recorded_by) == (12, 0, world.peer)
    assert feedback.listened_share == 0.75
    page = client.get(_url(world, "detail", pk=event.pk)).content.decode()
    assert "data-trust>75% of 12<" in page


def test_more_cards_than_people_or_negative_counts_are_refused(world, client_for):
    event = held_event(world, attendance={"Resident": 5})
    client = client_for(world.coordinator)
    response = client.post(_url(world, "feedback", pk=event.pk), {"listened_yes": "6"})
    assert "more than the 5 people who came" in response.content.decode()
    response = client.post(_url(world, "feedback", pk=event.pk), {"listened_yes": "-2"})
    assert "Counts cannot be negative" in response.content.decode()
    assert not EventFeedback.objects.exists()


def test_a_supervisor_and_an_analyst_see_no_event(world, client_for):
    event = held_event(world)
    for user in (world.supervisor, world.analyst):
        assert client_for(user).get(_url(world, "detail", pk=event.pk)).status_code == 403


def test_a_new_discussion_guide_version_leaves_planned_events_on_theirs(world, client_for):
    client = client_for(world.coordinator)
    client.post(_url(world, "guide"), {"questions": "What feels unsafe?\nWhat would help?"})
    client.post(_url(world, "plan"), _plan_data(world))
    event = Event.objects.get()
    client.post(_url(world, "guide"), {"questions": "A new question"})
    event.refresh_from_db()
    assert event.discussion_guide.version == 1
    assert [q.text for q in event.discussion_guide.questions.all()] == ["What feels unsafe?", "What would help?"]
    assert client.post(_url(world, "guide"), {"questions": "  \n "}).status_code == 200


def test_what_an_event_hands_the_notes_gate(world):
    """The hook for the gate: sections from the discussion guide, and Document fields that
    name nobody (kind and month, the cohorts in the room, no participant)."""
    from coproduction.engagement.actions import publish_discussion_guide
    from coproduction.models import Document

    guide = publish_discussion_guide(project=world.project, questions=["What feels unsafe?"], by=world.coordinator)
    event = held_event(world, title="Chat with Maria at the hall", attendance={"Resident": 8, "Faith leader": 2})
    event.discussion_guide = guide
    event.save()
    question = guide.questions.get()
    assert event.notes_sections() == [(f"q{question.pk}", "What feels unsafe?"), ("free", "Anything else")]
    fields = event.document_fields()
    assert fields["source"] == Document.Source.EVENT and fields["participant"] is None
    assert "Maria" not in fields["title"] and fields["title"].startswith("Community conversation, ")
    assert fields["cohort"] == "Faith leader, Resident"
    assert fields["month"].day == 1


def test_planning_from_a_request_opens_on_an_individual_session(world, client_for):
    client = client_for(world.coordinator)
    form = client.get(_url(world, "plan") + "?kind=individual").context["form"]
    assert form["kind"].value() == Event.Kind.INDIVIDUAL
    assert client.get(_url(world, "plan") + "?kind=nonsense").context["form"]["kind"].value() is None
