"""Activities come from what happened: completed interviews, held events a person facilitated
and training completions recorded in the project, each once, through the registry. The core
package never imports interviews or wellbeing, and nothing here reaches a support session."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import coproduction.payments
from coproduction.models import ActivityKind, Event, Role
from coproduction.payments import actions, sources
from interviews.models import Interview
from tests.analysis.test_boundaries import imported_modules, project_modules_reached
from tests.engagement.factories import make_event
from tests.factories import member
from tests.interviews.factories import make_interview
from tests.wellbeing.factories import session
from wellbeing.actions import record_training
from wellbeing.models import SupportSession, TrainingModule
from wellbeing.payments import training_completions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_april_2026")]
MARCH = date(2026, 3, 1)
NOW = datetime(2026, 4, 10, 9, tzinfo=UTC)


def _at(day: date, hour: int = 10) -> timedelta:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - NOW


def test_what_happened_in_the_month_is_brought_in_once(world):
    peer, coordinator = world.peer, world.coordinator
    interview = make_interview(
        world.project, peer, booked_by=coordinator, status=Interview.Status.COMPLETED, starts_in=_at(date(2026, 3, 3))
    )
    Interview.objects.filter(pk=interview.pk).update(duration_minutes=90)
    make_interview(world.project, peer, booked_by=coordinator, status=Interview.Status.CANCELLED, starts_in=_at(date(2026, 3, 4)))
    make_interview(world.project, peer, booked_by=coordinator, status=Interview.Status.COMPLETED, starts_in=_at(date(2026, 4, 2)))
    make_interview(
        world.project,
        world.second_peer,
        booked_by=coordinator,
        status=Interview.Status.COMPLETED,
        starts_in=_at(date(2026, 3, 5)),
    )
    event = make_event(
        world.project, by=coordinator, facilitators=[peer], status=Event.Status.HELD, starts_in=_at(date(2026, 3, 12))
    )
    make_event(world.project, by=coordinator, facilitators=[peer], status=Event.Status.PLANNED, starts_in=_at(date(2026, 3, 13)))
    # 31 March 23:30 UTC is 1 April 00:30 in London: an April event.
    make_event(
        world.project,
        by=coordinator,
        facilitators=[peer],
        status=Event.Status.HELD,
        starts_in=_at(date(2026, 3, 31), 23) + timedelta(minutes=30),
    )
    module = TrainingModule.objects.get_or_create(name="Safeguarding")[0]
    record_training(person=peer, module=module, completed_on=date(2026, 3, 20), by=coordinator, project=world.project)
    elsewhere = TrainingModule.objects.get_or_create(name="Data protection")[0]
    record_training(person=peer, module=elsewhere, completed_on=date(2026, 3, 21), by=coordinator, project=world.other_project)

    claim = actions.open_claim(project=world.project, person=peer, month=MARCH)
    rows = list(claim.activities.values_list("kind", "on", "hours", "source", "label"))
    assert rows == [
        (ActivityKind.INTERVIEW, date(2026, 3, 3), Decimal("1.50"), f"interview:{interview.pk}", "Interview"),
        (ActivityKind.EVENT, date(2026, 3, 12), Decimal("1.50"), f"event:{event.pk}", "Community conversation"),
        (ActivityKind.TRAINING, date(2026, 3, 20), None, rows[2][3], "Safeguarding"),
    ]
    assert actions.bring_in_activities(claim) == 0
    # Left out stays left out: the row is kept, not brought in again.
    left_out = claim.activities.get(kind=ActivityKind.EVENT)
    actions.change_activity(left_out, hours=left_out.hours, included=False, by=peer)
    actions.open_claim(project=world.project, person=peer, month=MARCH)
    assert claim.activities.count() == 3
    assert claim.activities.get(pk=left_out.pk).included is False


def test_a_submitted_claim_takes_nothing_new(world):
    from tests.payments.factories import submitted_claim

    claim = submitted_claim(world)
    make_interview(
        world.project, world.peer, booked_by=world.coordinator, status=Interview.Status.COMPLETED, starts_in=_at(date(2026, 3, 9))
    )
    assert actions.bring_in_activities(claim) == 0
    assert claim.activities.count() == 1


def test_support_sessions_are_never_activities(world):
    """Training booked as a support session, supervision and psychotherapy bring in nothing; the
    training source reads the training tables only."""
    for kind in SupportSession.Kind.values:
        session(
            world.project,
            attendees=[world.peer],
            kind=kind,
            starts_at=datetime(2026, 3, 10, 10, tzinfo=UTC),
            status=SupportSession.Status.ATTENDED,
            booked_by=world.coordinator,
        )
    module = TrainingModule.objects.get_or_create(name="Interviewing skills")[0]
    record_training(person=world.peer, module=module, completed_on=date(2026, 3, 20), by=world.coordinator, project=world.project)
    with CaptureQueriesContext(connection) as queries:
        found = list(training_completions(world.project, world.peer, MARCH, date(2026, 3, 31)))
    assert [done.label for done in found] == ["Interviewing skills"]
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "wellbeing_trainingcompletion" in tables
    for other in ("supportsession", "checkin", "sessionrequest", "supervisionnote", "reflection", "provider"):
        assert f"wellbeing_{other}" not in tables
    claim = actions.open_claim(project=world.project, person=world.peer, month=MARCH)
    assert list(claim.activities.values_list("kind", flat=True)) == [ActivityKind.TRAINING]


def test_each_source_is_registered_and_the_core_imports_neither_interviews_nor_wellbeing():
    names = {f"{source.__module__}.{source.__name__}" for source in sources._sources}
    assert {
        "coproduction.payments.sources.held_events",
        "interviews.payments.completed_interviews",
        "wellbeing.payments.training_completions",
    } <= names
    root = Path(coproduction.payments.__file__).parent
    start = {f"coproduction.payments.{p.stem}" for p in root.glob("*.py")} | {"coproduction.models.payments"}
    reached = project_modules_reached(start)
    bad = sorted(m for m in reached if m.split(".")[0] in {"interviews", "wellbeing"})
    assert not bad, f"payments reaches {bad}"
    assert "coproduction.payments.pricing" in reached
    assert "wellbeing.models" in imported_modules(root.parent.parent / "wellbeing" / "payments.py")


def test_a_person_in_two_projects_is_paid_for_training_in_the_one_that_recorded_it(world):
    other_peer = member(world.other_project, Role.PEER_RESEARCHER)
    module = TrainingModule.objects.get_or_create(name="Safeguarding")[0]
    record_training(
        person=other_peer, module=module, completed_on=date(2026, 3, 2), by=world.coordinator, project=world.other_project
    )
    assert not list(training_completions(world.project, other_peer, MARCH, date(2026, 3, 31)))
    assert len(list(training_completions(world.other_project, other_peer, MARCH, date(2026, 3, 31)))) == 1
