"""Two coordinators booking the same peer researcher for the same hour at the same moment:
one booking wins, the other is refused with the clash, and nothing is saved twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.wellbeing.factories import provider
from wellbeing import actions
from wellbeing.models import SupportSession

pytestmark = pytest.mark.django_db(transaction=True)


def book(world, who, supervisor, starts_at):
    return actions.book_session(
        project=world.project,
        kind=SupportSession.Kind.SUPERVISION_ONE,
        provider=supervisor,
        attendees=[who],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        location="Hub",
        booked_by=world.coordinator,
    )


def test_a_clash_found_at_booking_time_saves_nothing(world):
    supervisor = provider()
    starts_at = timezone.now() + timedelta(days=1)
    book(world, world.peer, supervisor, starts_at)
    with pytest.raises(actions.SessionClash) as clash:
        book(world, world.peer, provider(name="Dr Other"), starts_at + timedelta(minutes=30))
    assert "already has an appointment" in clash.value.problems[0]
    assert SupportSession.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_bookings_for_the_same_person_cannot_both_succeed(world):
    supervisors = [provider(name="Dr One"), provider(name="Dr Two")]
    starts_at = timezone.now() + timedelta(days=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(supervisor):
        try:
            barrier.wait()
            book(world, world.peer, supervisor, starts_at)
            outcomes.append("booked")
        except actions.SessionClash:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in supervisors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert SupportSession.objects.filter(attendees=world.peer).count() == 1


def test_a_reschedule_into_a_clash_changes_nothing(world):
    supervisor = provider()
    starts_at = timezone.now() + timedelta(days=1)
    book(world, world.peer, supervisor, starts_at)
    later = book(world, world.peer, provider(name="Dr Other"), starts_at + timedelta(hours=3))
    with pytest.raises(actions.SessionClash):
        actions.reschedule_session(later, by=world.coordinator, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    later.refresh_from_db()
    assert later.starts_at == starts_at + timedelta(hours=3)
