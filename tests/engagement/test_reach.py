"""Who we have heard from: a worked example, suppression for publication, the trust measure.

The worked example (project time zone Europe/London, threshold 10):

- Interviews: SW-001 and SW-002 interviewed in March 2026 (SW-001 twice: counted once);
  SW-003 in April; SW-004 in April but withdrawn (not counted); SW-005 booked in April but
  not yet held (not counted); R-001 (a resident) in April.
- Events held: 12 residents and 3 faith leaders in March; 20 residents in April. A cancelled
  event with counts is not counted.
- Targets: Sex worker 20, Resident 50.

So: Sex worker 3 (2 in March, 3 by April), Resident 1 + 32 = 33 (12 in March, 33 by April),
Faith leader 3. Targets: 15% and 66%.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduction.engagement.reach import reach_for, trust_by_month, trust_overall
from coproduction.models import Event, ReachTarget
from interviews.models import Interview
from tests.engagement.factories import feedback_for, held_event
from tests.interviews.factories import make_interview
from tests.participation.factories import consenting_participant

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 10, 10, tzinfo=UTC)
APRIL = datetime(2026, 4, 14, 10, tzinfo=UTC)


def _interview(world, participant, when, status=Interview.Status.COMPLETED):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator, participant=participant, status=status)
    Interview.objects.filter(pk=interview.pk).update(starts_at=when)


def _event(world, when, counts, status=Event.Status.HELD):
    event = held_event(world, attendance=counts, capacity=None)
    Event.objects.filter(pk=event.pk).update(starts_at=when, status=status)
    return event


@pytest.fixture
def worked_example(world):
    world.project.cohorts = ["Sex worker", "Resident", "Faith leader"]
    world.project.save()
    sw = [consenting_participant(world.project, world.coordinator) for _ in range(5)]
    _interview(world, sw[0], MARCH)
    _interview(world, sw[0], APRIL)
    _interview(world, sw[1], MARCH + timedelta(days=3))
    _interview(world, sw[2], APRIL)
    _interview(world, sw[3], APRIL)
    sw[3].withdrawn_at = timezone.now()
    sw[3].save()
    _interview(world, sw[4], APRIL, status=Interview.Status.SCHEDULED)
    _interview(world, consenting_participant(world.project, world.coordinator, cohort="Resident"), APRIL)
    march = _event(world, MARCH, {"Resident": 12, "Faith leader": 3})
    april = _event(world, APRIL, {"Resident": 20})
    _event(world, APRIL, {"Resident": 40}, status=Event.Status.CANCELLED)
    ReachTarget.objects.create(project=world.project, cohort="Sex worker", target=20)
    ReachTarget.objects.create(project=world.project, cohort="Resident", target=50)
    feedback_for(march, world.peer, yes=9, partly=3, no=3)
    feedback_for(april, world.peer, yes=16, partly=4)
    return world


def test_the_worked_example(worked_example):
    reach = reach_for(worked_example.project)
    by_cohort = {c.cohort: c for c in reach.cohorts}
    assert reach.sources == ["Interviews", "Events"]
    assert by_cohort["Sex worker"].by_source == {"Interviews": 3, "Events": 0}
    assert by_cohort["Resident"].by_source == {"Interviews": 1, "Events": 32}
    assert by_cohort["Faith leader"].by_source == {"Interviews": 0, "Events": 3}
    assert [m.month for m in reach.months] == [3, 4]
    assert by_cohort["Sex worker"].cumulative == [2, 3]
    assert by_cohort["Resident"].cumulative == [12, 33]
    assert (by_cohort["Sex worker"].share_of_target, by_cohort["Resident"].share_of_target) == (15, 66)
    assert by_cohort["Faith leader"].target is None


def test_the_page_shows_the_working_figures_and_hides_small_ones_for_publication(worked_example, client_for):
    url = reverse("engagement:reach", kwargs={"slug": worked_example.project.slug})
    client = client_for(worked_example.analyst)
    page = client.get(url)
    rows = {row["cohort"]: row for row in page.context["rows"]}
    assert rows["Resident"]["counts"] == ["1", "32"] and rows["Resident"]["total"] == "33"
    html = page.content.decode()
    assert "<svg" in html and '<title id="reach-chart-title">' in html and "Resident: 33 of a target of 50" in html
    published = client.get(url + "?for=publication")
    rows = {row["cohort"]: row for row in published.context["rows"]}
    assert rows["Sex worker"]["counts"] == ["<10", "0"] and rows["Sex worker"]["total"] == "<10"
    # One small cell beside a shown total would be recovered by subtraction: the next is hidden too.
    assert rows["Resident"]["counts"] == ["<10", "<10"] and rows["Resident"]["total"] == "33"
    assert rows["Sex worker"]["share"] is None
    html = published.content.decode()
    assert "Sex worker: fewer than 10 of a target of 20" in html
    assert [m["counts"] for m in published.context["months"]] == [["<10", "12", "<10"], ["<10", "33", "<10"]]


def test_the_trust_measure_per_month_and_overall(worked_example):
    months = trust_by_month(worked_example.project)
    assert [(t.label, t.yes, t.answered, t.share) for t in months] == [("March 2026", 9, 15, 60), ("April 2026", 16, 20, 80)]
    overall = trust_overall(worked_example.project)
    assert (overall.share, overall.shown(10, for_publication=False)) == (71, "71% of 35")
    assert months[0].shown(20, for_publication=True) == "Fewer than 20 answers"


def test_who_sees_the_reach_page(world, client_for):
    url = reverse("engagement:reach", kwargs={"slug": world.project.slug})
    assert client_for(world.coordinator).get(url).status_code == 200
    assert client_for(world.analyst).get(url).status_code == 200
    assert client_for(world.peer).get(url).status_code == 403
    assert client_for(world.supervisor).get(url).status_code == 403


def test_targets_are_set_by_the_coordinator_and_bad_ones_refused(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("engagement:targets", kwargs={"slug": world.project.slug})
    names = [field.html_name for field in client.get(url).context["form"]]
    assert client.post(url, {names[0]: "20", names[1]: "50"}).status_code == 302
    assert dict(ReachTarget.objects.values_list("cohort", "target")) == {"Sex worker": 20, "Resident": 50}
    response = client.post(url, {names[0]: "-4", names[1]: "lots"})
    assert response.status_code == 200 and "A target must be at least 1" in response.content.decode()
    assert dict(ReachTarget.objects.values_list("cohort", "target")) == {"Sex worker": 20, "Resident": 50}
    assert client_for(world.analyst).post(url, {names[0]: "1"}).status_code == 403
