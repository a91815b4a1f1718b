"""Supervision cadence at its boundaries, with time frozen (see wellbeing.models.Cadence)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from coproduction.models import Membership
from coproduction.notifications.digest import digest_lines
from interviews.models import Interview
from tests.wellbeing.factories import interview, session
from wellbeing.models import SupportPolicy, SupportSession, cadence_for

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # 13:00 BST


def status_of(world, person=None):
    person = person or world.peer
    return next(c for c in cadence_for(world.project) if c.person == person)


def supervised(world, when, *, status=SupportSession.Status.ATTENDED, kind=SupportSession.Kind.SUPERVISION_ONE):
    return session(world.project, [world.peer], booked_by=world.coordinator, starts_at=when, status=status, kind=kind)


def completed_interviews(world, count, after):
    for n in range(count):
        when = after + timedelta(hours=n + 1)
        interview(
            world.project, world.peer, starts_at=when, status=Interview.Status.COMPLETED, completed_at=when + timedelta(hours=1)
        )


@pytest.fixture
def policy(world):
    return SupportPolicy.objects.create(project=world.project, supervision_every_days=14, supervision_after_interviews=3)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(10, "ok"), (11, "due"), (14, "due"), (15, "overdue")],
    ids=["4-days-before-due", "3-days-before-due", "exactly-N-days", "N-plus-1-days"],
)
def test_days_since_last_attended_supervision(world, policy, days_ago, expected):
    supervised(world, TODAY - timedelta(days=days_ago))
    cadence = status_of(world)
    assert cadence.status == expected
    assert cadence.due_on == (TODAY - timedelta(days=days_ago)).date() + timedelta(days=14)


@time_machine.travel(TODAY, tick=False)
def test_day_boundaries_are_local_calendar_days(world, policy):
    # 23:30 BST on 1 June is 22:30 UTC: its local date is 1 June, so due on 15 June (today).
    supervised(world, datetime(2026, 6, 1, 22, 30, tzinfo=UTC))
    assert status_of(world).due_on.isoformat() == "2026-06-15"
    assert status_of(world).status == "due"
    # 00:30 BST on 1 June is still 31 May in UTC; locally it is 1 June all the same.
    SupportSession.objects.all().delete()
    supervised(world, datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    assert status_of(world).due_on.isoformat() == "2026-06-15"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("count", "expected"), [(2, "ok"), (3, "due"), (4, "overdue")])
def test_completed_interviews_since_last_supervision(world, policy, count, expected):
    last = TODAY - timedelta(days=2)
    supervised(world, last)
    completed_interviews(world, count, after=last)
    # Interviews before the supervision do not count.
    interview(
        world.project, world.peer, starts_at=last - timedelta(days=1), status="completed", completed_at=last - timedelta(hours=20)
    )
    cadence = status_of(world)
    assert (cadence.interviews_since, cadence.status) == (count, expected)


@time_machine.travel(TODAY, tick=False)
def test_only_attended_reflective_supervision_counts(world, policy):
    membership = Membership.objects.get(project=world.project, user=world.peer)
    membership.created_at = TODAY - timedelta(days=30)
    membership.save()
    supervised(world, TODAY - timedelta(days=1), status=SupportSession.Status.DID_NOT_ATTEND)
    supervised(world, TODAY - timedelta(days=1), status=SupportSession.Status.CANCELLED)
    supervised(world, TODAY - timedelta(days=1), kind=SupportSession.Kind.PSYCHOTHERAPY)
    supervised(world, TODAY - timedelta(days=1), kind=SupportSession.Kind.DEBRIEF)
    assert status_of(world).status == "overdue"  # measured from joining, 30 days ago
    supervised(world, TODAY - timedelta(days=1), kind=SupportSession.Kind.SUPERVISION_GROUP)
    assert status_of(world).status == "ok"


@time_machine.travel(TODAY, tick=False)
def test_someone_never_supervised_is_measured_from_joining(world, policy):
    membership = Membership.objects.get(project=world.project, user=world.peer)
    membership.created_at = TODAY - timedelta(days=14)
    membership.save()
    assert status_of(world).status == "due"
    membership.created_at = TODAY - timedelta(days=15)
    membership.save()
    assert status_of(world).status == "overdue"


@time_machine.travel(TODAY, tick=False)
def test_a_booking_is_shown_but_does_not_clear_the_status(world, policy):
    supervised(world, TODAY - timedelta(days=20))
    booked = supervised(world, TODAY + timedelta(days=2), status=SupportSession.Status.BOOKED)
    cadence = status_of(world)
    assert cadence.status == "overdue" and cadence.next_booking == booked.starts_at


@time_machine.travel(TODAY, tick=False)
def test_dashboard_and_digest_list_who_is_due_with_neutral_labels(world, policy, client_for):
    supervised(world, TODAY - timedelta(days=20))
    Membership.objects.filter(user=world.second_peer).update(created_at=TODAY - timedelta(days=1))
    page = client_for(world.coordinator).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    body = page.content.decode()
    assert str(world.peer) in body and "Overdue" in body
    assert str(world.second_peer) not in body
    lines = {line.label: line.count for line in digest_lines(world.project)}
    assert lines["People due a catch-up"] == 1
    for label in lines:
        for word in ["supervision", "therapy", "wellbeing", "interview", "check-in"]:
            assert word not in label.lower()
    # Booked: still listed on the dashboard, no longer counted in the digest.
    supervised(world, TODAY + timedelta(days=1), status=SupportSession.Status.BOOKED)
    assert {line.label: line.count for line in digest_lines(world.project)}.get("People due a catch-up") is None


def test_cadence_queries_do_not_grow_with_people(world, policy, django_assert_max_num_queries):
    from tests.factories import member

    with django_assert_max_num_queries(8) as few:
        cadence_for(world.project)
    for _ in range(10):
        member(world.project, "peer_researcher")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(cadence_for(world.project)) == 12


def test_coordinator_edits_the_policy(world, client_for):
    from wellbeing.models import TrainingModule

    safeguarding = TrainingModule.objects.get(name="Safeguarding")
    client = client_for(world.coordinator)
    url = reverse("wellbeing:policy", kwargs={"slug": world.project.slug})
    data = {"supervision_every_days": "21", "supervision_after_interviews": "4", "check_in_alert_threshold": "2"}
    response = client.post(url, {**data, "required_modules": [safeguarding.pk]})
    assert response.status_code == 302
    policy = SupportPolicy.objects.get(project=world.project)
    assert (policy.supervision_every_days, policy.check_in_alert_threshold) == (21, 2)
    assert list(policy.required_modules.all()) == [safeguarding]
    response = client.post(url, {**data, "supervision_every_days": "0", "check_in_alert_threshold": "11"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    policy.refresh_from_db()
    assert policy.supervision_every_days == 21


@time_machine.travel(TODAY, tick=False)
def test_coordinators_are_reminded_once_per_overdue_cycle(world, policy):
    from coproduction.models import Notification
    from wellbeing.tasks import remind_overdue_catch_ups

    supervised(world, TODAY - timedelta(days=15))
    Membership.objects.filter(user=world.second_peer).update(created_at=TODAY - timedelta(days=1))
    night = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)  # 02:00 BST
    assert remind_overdue_catch_ups(night) == 0  # nothing at night
    morning = datetime(2026, 6, 15, 7, 30, tzinfo=UTC)  # 08:30 BST
    assert remind_overdue_catch_ups(morning) == 1
    assert remind_overdue_catch_ups(morning + timedelta(minutes=15)) == 0  # once only
    alert = Notification.objects.get(template="coordinator-alert")
    assert alert.recipient == world.coordinator and alert.project == world.project
    assert alert.about_type == "coproduction.membership"
    # Booked: no reminder for the next person who becomes overdue once booked.
    Notification.objects.all().delete()
    supervised(world, TODAY + timedelta(days=1), status=SupportSession.Status.BOOKED)
    assert remind_overdue_catch_ups(morning) == 0


@time_machine.travel(TODAY, tick=False)
def test_an_absentee_of_a_group_session_is_not_supervised_by_it(world, policy):
    supervised(world, TODAY - timedelta(days=20))
    group = supervised(world, TODAY - timedelta(days=1), kind=SupportSession.Kind.SUPERVISION_GROUP)
    group.attendees.add(world.second_peer)
    group.absentees.set([world.peer])
    assert status_of(world).status == "overdue"
    assert status_of(world, world.second_peer).status == "ok"


def test_reading_pages_write_no_policy(world, client_for):
    for name in ["wellbeing:home", "wellbeing:policy", "wellbeing:training", "coproduction:dashboard"]:
        client_for(world.coordinator).get(reverse(name, kwargs={"slug": world.project.slug}))
    assert not SupportPolicy.objects.exists()


def test_a_project_without_peer_researchers_has_no_cadence(db):
    from tests.factories import ProjectFactory

    assert cadence_for(ProjectFactory()) == []


def test_beat_schedules_the_catch_up_reminder_by_its_task_name(settings):
    from wellbeing.tasks import remind_overdue_catch_ups_task

    entry = settings.CELERY_BEAT_SCHEDULE["remind-overdue-catch-ups"]
    assert entry["task"] == remind_overdue_catch_ups_task.name
