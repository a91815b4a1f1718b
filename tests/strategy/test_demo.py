"""The demo strategy, in the brief's shape and with the brief's figures."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from coproduction.models import AuditEvent, Project, Theme
from coproduction.models.strategy import Action, ActionStatus, ActionUpdate, Indicator, Measurement, Priority, Strategy
from coproduction.strategy.indicators import summarise

pytestmark = pytest.mark.django_db


def _counts(project) -> dict[str, int]:
    return {
        "strategies": Strategy.objects.filter(project=project).count(),
        "priorities": Priority.objects.filter(strategy__project=project).count(),
        "actions": Action.objects.filter(project=project).count(),
        "updates": ActionUpdate.objects.filter(action__project=project).count(),
        "statuses": ActionStatus.objects.filter(project=project).count(),
        "indicators": Indicator.objects.filter(project=project).count(),
        "measurements": Measurement.objects.filter(indicator__project=project).count(),
    }


def _summary(project, name, *, publication=False):
    indicator = Indicator.objects.get(project=project, name=name)
    return summarise(indicator, indicator.measurements.all(), threshold=project.small_number_threshold, publication=publication)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return Project.objects.get(slug="riverside-safety")


def test_the_demo_strategy_has_the_briefs_shape(demo):
    strategy = Strategy.objects.get(project=demo)
    assert strategy.title == "Riverside sex work strategy" and strategy.status == Strategy.Status.IN_DEVELOPMENT
    assert list(strategy.priorities.values_list("title", flat=True)) == [
        "Safer streets",
        "Infrastructure and lighting",
        "Support and health",
        "Continued engagement",
    ]
    actions = Action.objects.filter(project=demo)
    assert actions.filter(parent__isnull=True).count() >= 8 and actions.count() >= 12
    assert actions.filter(parent__isnull=False).count() >= 3
    early = set(actions.filter(early=True).values_list("title", flat=True))
    briefs = [
        "funding for the sex work service",
        "three outreach hubs",
        "anti-social behaviour",
        "targeted safety",
        "high-risk panel",
    ]
    for words in briefs:
        assert any(words.lower() in title.lower() for title in early), words
    owners = set(actions.values_list("organisation__name", flat=True))
    assert {"Community safety", "Sex work service", "Police", "Public health", "Highways"} <= owners
    assert ActionUpdate.objects.filter(action__project=demo).count() >= 8
    linked = set(Theme.objects.filter(actions__project=demo).values_list("name", flat=True))
    assert {"Street safety", "Lighting and infrastructure", "Support services", "Outreach hubs"} <= linked


def test_one_active_theme_is_answered_by_no_agreed_action(demo):
    answered = Theme.objects.filter(actions__in=Action.objects.filter(project=demo).committed())
    unanswered = Theme.objects.filter(project=demo, status=Theme.Status.ACTIVE).exclude(pk__in=answered)
    assert "Policing" in set(unanswered.values_list("name", flat=True))


def test_the_demo_reproduces_the_briefs_figures(demo):
    asb = _summary(demo, "Reports of anti-social behaviour to the police")
    assert asb.compared.label == "April–October 2024" and asb.compared.value == 311
    assert asb.against_baseline.words == "down 26% on April–October 2023"
    assert asb.against_baseline.improvement is True
    support = _summary(demo, "Sex workers in structured support")
    assert support.latest.shown == "49" and support.latest.label == "October 2024"
    panel = _summary(demo, "High-risk cases discussed by the multi-agency panel")
    assert panel.latest.shown == "27" and panel.indicator.counts_people
    # Published, the panel's first months (4 and 9 cases) are hidden; 27 is not.
    published = _summary(demo, "High-risk cases discussed by the multi-agency panel", publication=True)
    assert [p.shown for p in published.points] == ["<10", "<10", "13", "20", "27"]
    survey = _summary(demo, "Residents who feel safe walking after dark")
    assert survey.against_year_earlier.words == "up 3 percentage points on April 2023"


def test_seeding_twice_changes_nothing(demo, settings):
    before, audit = _counts(demo), AuditEvent.objects.count()
    call_command("seed_demo")
    assert _counts(demo) == before and AuditEvent.objects.count() == audit
    assert before["priorities"] == 4 and before["indicators"] == 4


def test_the_demo_overview_shows_the_figures(demo, client):
    coordinator = demo.memberships.get(role="coordinator").user
    client.force_login(coordinator)
    response = client.get(reverse("strategy:overview", kwargs={"slug": demo.slug}))
    assert response.status_code == 200
    assert "down 26% on April–October 2023" in response.text and "Riverside sex work strategy" in response.text
    assert response.text.count("data-small-multiple") == 4
