"""Creating and changing actions: every field, the rules each is checked against, defaults from
the status, and progress rolled up from sub-actions."""

from datetime import date

import pytest
from django.urls import reverse

from coproduction.models import Action, ActionStatus, AuditEvent
from coproduction.strategy.plan import build_tree, plan_actions
from tests.factories import member
from tests.strategy.factories import make_action, owner_for, priority_for, status_for

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": world.project.slug, **kwargs})


def _data(world, **overrides):
    data = {
        "priority": priority_for(world.project).pk,
        "parent": "",
        "title": "Three outreach hubs",
        "description": "Drop-in hubs in the evenings.",
        "organisation": owner_for(world.project).pk,
        "lead": world.peer.pk,
        "starts_on": "2026-04-01",
        "due_on": "2026-10-31",
        "status": status_for(world.project, ActionStatus.Stage.IN_PROGRESS).pk,
        "progress": "",
        "reason": "",
        "early": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_coordinator_creates_an_action_with_every_field(world, client_for):
    response = client_for(world.coordinator).post(_url(world, "action_new"), _data(world))
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(world, "action", pk=action.pk)
    assert (action.title, action.lead, action.organisation.name) == ("Three outreach hubs", world.peer, "Community safety")
    assert (action.starts_on, action.due_on, action.early) == (date(2026, 4, 1), date(2026, 10, 31), True)
    assert action.progress == 50, "no progress given: the status's default"
    assert AuditEvent.objects.filter(action="action.created", object_id=str(action.pk)).exists()
    page = client_for(world.peer).get(_url(world, "action", pk=action.pk))
    assert page.status_code == 200
    for shown in (
        "Three outreach hubs",
        "Drop-in hubs in the evenings.",
        "Community safety",
        "A peer_researcher",
        "31 October 2026",
    ):
        assert shown in page.text


def test_an_explicit_progress_wins_over_the_default(world, client_for):
    client_for(world.coordinator).post(_url(world, "action_new"), _data(world, progress="35"))
    assert Action.objects.get().progress == 35


def test_changing_the_status_moves_progress_to_its_default_unless_progress_is_changed_too(world, client_for):
    client = client_for(world.coordinator)
    action = make_action(world.project, stage=ActionStatus.Stage.IN_PROGRESS)
    done = status_for(world.project, ActionStatus.Stage.DONE)
    client.post(_url(world, "action_change", pk=action.pk), _data(world, title=action.title, status=done.pk, progress="50"))
    action.refresh_from_db()
    assert (action.status, action.progress) == (done, 100)
    assert AuditEvent.objects.filter(action="action.status_changed", object_id=str(action.pk)).count() == 1
    in_progress = status_for(world.project, ActionStatus.Stage.IN_PROGRESS)
    client.post(_url(world, "action_change", pk=action.pk), _data(world, status=in_progress.pk, progress="70"))
    action.refresh_from_db()
    assert action.progress == 70


def _refused(world, client, url, data, field, message):
    before = (Action.objects.count(), list(Action.objects.values_list("title", "progress", "parent", "due_on")))
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert "govuk-error-summary" in response.text
    assert (Action.objects.count(), list(Action.objects.values_list("title", "progress", "parent", "due_on"))) == before
    return response


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"progress": "101"}, "progress", "from 0 to 100"),
        ({"progress": "-1"}, "progress", "from 0 to 100"),
        ({"progress": "half"}, "progress", "from 0 to 100"),
        (
            {"starts_on": "2026-05-01", "due_on": "2026-04-30"},
            "due_on",
            "The due date must be the same as or after the start date",
        ),
        ({"status": "999999"}, "status", "Choose a status from this project's list"),
        ({"status": "99999999999999999999"}, "status", "Choose a status from this project's list"),
        ({"status": ""}, "status", "Choose a status from this project's list"),
        ({"reason": ""}, "reason", "Give the reason it is not taken forward"),
        ({"due_on": "2100-01-01"}, "due_on", "Enter a date between"),
    ],
)
def test_bad_input_is_refused_under_its_field_and_nothing_is_saved(world, client_for, overrides, field, message):
    if field == "reason":
        overrides["status"] = status_for(world.project, ActionStatus.Stage.NOT_TAKEN_FORWARD).pk
    response = _refused(
        world, client_for(world.coordinator), _url(world, "action_new"), _data(world, **overrides), field, message
    )
    assert 'value="Three outreach hubs"' in response.text, "the form keeps what was typed"
    assert "Drop-in hubs in the evenings." in response.text


def test_another_projects_rows_are_refused_by_name(world, client_for):
    client = client_for(world.coordinator)
    url = _url(world, "action_new")
    cases = [
        ("priority", priority_for(world.other_project).pk, "Choose a priority of this strategy"),
        ("organisation", owner_for(world.other_project).pk, "Choose an owner from this project's list"),
        ("lead", world.outsiders["peer_researcher"].pk, "The lead must be a member of this project"),
        ("lead", world.supervisor.pk, "The lead must be a member of this project"),
        ("status", status_for(world.other_project).pk, "Choose a status from this project's list"),
        ("parent", make_action(world.other_project).pk, "Choose a parent action of this project"),
    ]
    for field, value, message in cases:
        _refused(world, client, url, _data(world, **{field: value}), field, message)


def test_a_parent_cycle_is_refused(world, client_for):
    top = make_action(world.project, "Top")
    middle = make_action(world.project, "Middle", parent=top)
    bottom = make_action(world.project, "Bottom", parent=middle)
    client = client_for(world.coordinator)
    data = _data(world, title="Top", parent=bottom.pk, priority=top.priority_id)
    _refused(world, client, _url(world, "action_change", pk=top.pk), data, "parent", "cannot be a sub-action of itself")
    assert Action.objects.get(pk=top.pk).parent_id is None
    # Its own id is not even on offer.
    data = _data(world, title="Top", parent=top.pk)
    _refused(world, client, _url(world, "action_change", pk=top.pk), data, "parent", "Choose a parent action of this project")


def test_a_sub_action_stays_under_its_parents_priority(world, client_for):
    parent = make_action(world.project, "Hubs", priority=priority_for(world.project, "Support and health"))
    data = _data(world, parent=parent.pk, priority=priority_for(world.project, "Safer streets").pk)
    _refused(world, client_for(world.coordinator), _url(world, "action_new"), data, "priority", "same priority as its parent")
    response = client_for(world.coordinator).post(
        _url(world, "action_new"), _data(world, parent=parent.pk, priority=parent.priority_id)
    )
    assert response.status_code == 302 and Action.objects.get(title="Three outreach hubs").parent == parent


def test_the_lead_must_be_a_member_who_sees_the_plan(world, client_for):
    analyst = member(world.project, "analyst", display_name="Another analyst")
    response = client_for(world.coordinator).post(_url(world, "action_new"), _data(world, lead=analyst.pk))
    assert response.status_code == 302 and Action.objects.get().lead == analyst


def test_progress_rolls_up_through_three_levels(world):
    """Top has two children: A (with sub-actions at 100 and 20 -> 60) and B (30, no children).
    Top shows mean(60, 30) = 45 whatever its own progress; a sub-action without progress and a
    sub-action not taken forward are left out; a leaf shows its own."""
    top = make_action(world.project, "Top", progress=5)
    a = make_action(world.project, "A", parent=top, progress=0)
    make_action(world.project, "A1", parent=a, progress=100)
    make_action(world.project, "A2", parent=a, progress=20)
    make_action(world.project, "A3 (no progress)", parent=a, progress=None)
    make_action(world.project, "A4 (declined)", parent=a, stage=ActionStatus.Stage.NOT_TAKEN_FORWARD, progress=90, reason="x")
    make_action(world.project, "B", parent=top, progress=30)
    leaf = make_action(world.project, "Leaf", progress=None)
    _, nodes = build_tree(plan_actions(world.project))
    assert nodes[a.pk].shown_progress == 60
    assert nodes[top.pk].shown_progress == 45
    assert nodes[leaf.pk].shown_progress is None
    assert Action.objects.get(pk=top.pk).progress == 5, "the stored progress is left alone"


def test_roll_up_rounds_halves_up(world):
    top = make_action(world.project, "Top", progress=None)
    make_action(world.project, "A", parent=top, progress=0)
    make_action(world.project, "B", parent=top, progress=25)
    _, nodes = build_tree(plan_actions(world.project))
    assert nodes[top.pk].shown_progress == 13


def test_the_action_page_and_the_plan_show_the_rolled_up_progress(world, client_for):
    top = make_action(world.project, "Top", progress=10)
    make_action(world.project, "Child one", parent=top, progress=80)
    make_action(world.project, "Child two", parent=top, progress=40)
    client = client_for(world.analyst)
    page = client.get(_url(world, "action", pk=top.pk))
    assert "60% done" in page.text and "the mean of its sub-actions" in page.text
    plan = client.get(_url(world, "plan"))
    assert 'data-progress="60"' in plan.text and "Child one" in plan.text


def test_peer_researchers_and_analysts_change_nothing(world, client_for):
    action = make_action(world.project)
    for user in (world.peer, world.analyst):
        client = client_for(user)
        assert client.post(_url(world, "action_new"), _data(world)).status_code == 403
        assert client.post(_url(world, "action_change", pk=action.pk), _data(world, title="Changed")).status_code == 403
    assert Action.objects.count() == 1 and Action.objects.get().title == action.title


def test_outsiders_and_supervisors_are_refused(world, client, client_for):
    action = make_action(world.project)
    url = _url(world, "action", pk=action.pk)
    assert client_for(world.supervisor).get(url).status_code == 403
    assert client_for(world.supervisor).get(_url(world, "plan")).status_code == 403
    assert client_for(world.outsiders["coordinator"]).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    other = make_action(world.other_project)
    assert client_for(world.coordinator).get(_url(world, "action", pk=other.pk)).status_code == 404
    assert client_for(world.coordinator).post(_url(world, "action_change", pk=other.pk), _data(world)).status_code == 404
