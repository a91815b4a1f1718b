"""The demo project's engagement, modelled on the brief: 55 residents across three community
conversations, a faith leaders' session and individual sessions."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from coproduction.engagement.reach import reach_for, trust_overall
from coproduction.models import CohortAttendance, Event, EventFeedback, Notification, Project, ReachTarget

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
