"""What the dashboard asks of a supervisor (past sessions waiting for attendance or notes) and of
a new peer researcher (the training still needed before interviews can be booked)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduction.models import Role
from tests.factories import member
from tests.wellbeing.factories import provider, session
from wellbeing.models import SupervisionNote, SupportPolicy, SupportSession, TrainingCompletion, TrainingModule

pytestmark = pytest.mark.django_db
Kind, Status = SupportSession.Kind, SupportSession.Status


def dashboard(world, client_for, user) -> str:
    return client_for(user).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()


def test_a_supervisor_is_shown_past_sessions_waiting_for_attendance_or_notes(world, client_for):
    mine = provider(user=world.supervisor, name="Dr Mine")
    theirs = provider(name="Dr Someone Else")
    now = timezone.now()

    def book(when, status=Status.BOOKED, kind=Kind.SUPERVISION_ONE, by=mine):
        return session(
            world.project, [world.peer], booked_by=world.coordinator, starts_at=now + when, kind=kind, provider=by, status=status
        )

    unmarked = book(-timedelta(days=2))
    unwritten = book(-timedelta(days=3), Status.ATTENDED)
    written = book(-timedelta(days=4), Status.ATTENDED)
    SupervisionNote.objects.create(session=written, author=world.supervisor, text="Pacing.")
    book(-timedelta(days=5), Status.CANCELLED)
    book(-timedelta(days=6), Status.DID_NOT_ATTEND)
    upcoming = book(timedelta(days=1))
    book(-timedelta(days=2), by=theirs)
    page = dashboard(world, client_for, world.supervisor)
    assert "Past sessions to complete" in page
    detail = reverse("wellbeing:session_detail", kwargs={"slug": world.project.slug, "pk": 0}).replace("/0/", "/{}/")
    assert detail.format(unmarked.pk) in page and "record attendance" in page
    assert detail.format(unwritten.pk) in page and "write the notes" in page
    listed = page.split("Past sessions to complete", 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 2 and detail.format(upcoming.pk) not in listed and detail.format(written.pk) not in listed
    assert "Pacing" not in page
    # Coordinators and peer researchers have no such panel; nothing left to do, no panel.
    assert "Past sessions to complete" not in dashboard(world, client_for, world.coordinator)
    assert "Past sessions to complete" not in dashboard(world, client_for, world.peer)
    other = member(world.project, Role.SUPERVISOR)
    assert "Past sessions to complete" not in dashboard(world, client_for, other)


def test_a_new_peer_researcher_is_told_the_training_still_needed_before_interviews(world, client_for):
    policy = SupportPolicy.for_project(world.project)
    safeguarding, distress = TrainingModule.objects.get(name="Safeguarding"), TrainingModule.objects.get(name="Distress protocol")
    policy.required_modules.set([safeguarding, distress])
    TrainingCompletion.objects.create(
        user=world.peer, module=safeguarding, completed_on=timezone.localdate(), recorded_by=world.coordinator
    )
    page = dashboard(world, client_for, world.peer)
    assert "Training before your first interview" in page and "<li>Distress protocol</li>" in page
    assert "<li>Safeguarding</li>" not in page
    TrainingCompletion.objects.create(
        user=world.peer, module=distress, completed_on=timezone.localdate(), recorded_by=world.coordinator
    )
    assert "Training before your first interview" not in dashboard(world, client_for, world.peer)
    assert "Training before your first interview" not in dashboard(world, client_for, world.coordinator)
