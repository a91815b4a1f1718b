"""The demo project's engagement, modelled on the brief: 55 residents across three community
conversations, a faith leaders' session and individual sessions."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from coproduction.engagement.reach import reach_for, trust_overall
from coproduction.models import (
    Coding,
    CohortAttendance,
    Document,
    Event,
    EventFeedback,
    NotesDraft,
    Notification,
    Project,
    ReachTarget,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_briefs_events_and_55_residents(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # twice: nothing doubles
    project = Project.objects.get(slug="riverside-safety")
    held = Event.objects.filter(project=project, status=Event.Status.HELD)
    kinds = list(held.values_list("kind", flat=True))
    assert kinds.count(Event.Kind.COMMUNITY_CONVERSATION) == 3
    assert kinds.count(Event.Kind.FAITH_LEADERS) == 1
    assert kinds.count(Event.Kind.INDIVIDUAL) >= 2
    residents = CohortAttendance.objects.filter(event__project=project, cohort="Resident").aggregate(n=Sum("count"))["n"]
    assert residents == 55
    assert EventFeedback.objects.filter(event__project=project).count() == held.count()
    assert ReachTarget.objects.filter(project=project).count() == 3
    upcoming = Event.objects.upcoming().get(project=project)
    reminders = Notification.objects.pending().filter(about_type="coproduction.event", about_id=str(upcoming.pk))
    assert reminders.count() == 2 * len(upcoming.people_to_remind())
    reach = {c.cohort: c for c in reach_for(project).cohorts}
    assert reach["Resident"].by_source["Events"] == 55
    assert reach["Sex worker"].by_source["Interviews"] > 0
    assert 50 < trust_overall(project).share < 100


def test_the_demo_releases_and_codes_the_group_events_notes_through_the_gate(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    project = Project.objects.get(slug="riverside-safety")
    documents = Document.objects.filter(project=project, source=Document.Source.EVENT)
    assert documents.count() == 4
    held_titles = set(Event.objects.filter(project=project).values_list("title", flat=True))
    for document in documents:
        assert document.participant_id is None
        assert document.title not in held_titles and document.title.split(",")[0] in {k.label for k in Event.Kind}
        assert document.event.notes_released_at is not None
        assert Coding.objects.filter(excerpt__document=document).values("coder").distinct().count() == 2
    # One individual session's notes wait for review, beside the interviews' drafts.
    waiting = NotesDraft.objects.awaiting_review(project)
    assert {draft.owner_kind for draft in waiting} == {"event", "interview"}
