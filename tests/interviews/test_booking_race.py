"""Two people booking the same interviewer for the same hour at the same moment: one wins."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from interviews import actions
from interviews.models import Interview
from tests.interviews.factories import guide_for, venue_for
from tests.participation.factories import consenting_participant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_overlapping_bookings_cannot_both_succeed(world):
    guide_for(world.project)
    venue = venue_for(world.project)
    participants = [consenting_participant(world.project, world.coordinator) for _ in range(2)]
    starts_at = timezone.now() + timedelta(days=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def book(participant):
        try:
            barrier.wait()
            actions.book_interview(
                project=world.project,
                participant=participant,
                interviewer=world.peer,
                starts_at=starts_at,
                duration_minutes=60,
                venue=venue,
                by=world.coordinator,
            )
            outcomes.append("booked")
        except actions.BookingRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(p,)) for p in participants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert Interview.objects.filter(interviewer=world.peer).count() == 1
