"""Co-production: peer researchers propose and comment; coordinators agree, merge or decline;
analysts (and coordinators) link the themes an action answers."""

import pytest
from django.urls import reverse

from coproduction.models import Action, ActionComment, ActionStatus, AuditEvent, Theme
from tests.strategy.factories import make_action, priority_for, status_for, theme_for

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": world.project.slug, **kwargs})


def _propose(world, client, title="Evening outreach on Fridays"):
    data = {"priority": priority_for(world.project).pk, "title": title, "description": "People asked for it."}
    response = client.post(_url(world, "propose"), data)
    assert response.status_code == 302
    return Action.objects.get(title=title)


def test_a_peer_researcher_proposes_and_follows_it(world, client_for):
    client = client_for(world.peer)
    action = _propose(world, client)
    assert action.status.stage == ActionStatus.Stage.PROPOSED and action.proposed_by == world.peer
    assert AuditEvent.objects.filter(action="action.proposed", object_id=str(action.pk)).exists()
    assert "Evening outreach on Fridays" in client.get(_url(world, "plan")).text
    dashboard = client.get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    assert "Your proposals" in dashboard.text and "Evening outreach on Fridays" in dashboard.text


def test_a_proposal_needs_a_title_and_a_priority_of_this_strategy(world, client_for):
    client = client_for(world.peer)
    response = client.post(
        _url(world, "propose"), {"priority": priority_for(world.other_project).pk, "title": "", "description": "Kept"}
    )
    assert response.status_code == 200
    assert "Choose a priority of this strategy." in response.context["form"].errors["priority"]
    assert response.context["form"].errors["title"] and "Kept" in response.text
    assert not Action.objects.filter(project=world.project).exists()


def test_only_peer_researchers_propose(world, client_for):
    data = {"priority": priority_for(world.project).pk, "title": "X"}
    for user in (world.coordinator, world.analyst, world.supervisor):
        assert client_for(user).post(_url(world, "propose"), data).status_code == 403
    assert not Action.objects.exists()


def test_peer_researchers_and_coordinators_comment_on_proposed_and_agreed_actions(world, client_for):
    proposal = make_action(world.project, "Proposal", stage=ActionStatus.Stage.PROPOSED, proposed_by=world.peer)
    agreed = make_action(world.project, "Agreed")
    client_for(world.second_peer).post(_url(world, "comment", pk=proposal.pk), {"text": "Yes, and on Saturdays."})
    client_for(world.coordinator).post(_url(world, "comment", pk=agreed.pk), {"text": "Funding is confirmed."})
    assert list(ActionComment.objects.order_by("pk").values_list("action__title", "author", "text")) == [
        ("Proposal", world.second_peer.pk, "Yes, and on Saturdays."),
        ("Agreed", world.coordinator.pk, "Funding is confirmed."),
    ]
    page = client_for(world.analyst).get(_url(world, "action", pk=proposal.pk))
    assert "Yes, and on Saturdays." in page.text and "Add your comment" not in page.text


def test_an_empty_comment_is_refused_on_the_action_page(world, client_for):
    action = make_action(world.project)
    response = client_for(world.peer).post(_url(world, "comment", pk=action.pk), {"text": "  "})
    assert response.status_code == 200 and "govuk-error-summary" in response.text
    assert not ActionComment.objects.exists()


def test_no_comments_on_declined_actions_nor_from_analysts(world, client_for):
    declined = make_action(world.project, stage=ActionStatus.Stage.NOT_TAKEN_FORWARD, reason="Funded elsewhere.")
    response = client_for(world.peer).post(_url(world, "comment", pk=declined.pk), {"text": "Why?"})
    assert response.status_code == 200 and "Comments are open on proposed and agreed actions only." in response.text
    agreed = make_action(world.project)
    assert client_for(world.analyst).post(_url(world, "comment", pk=agreed.pk), {"text": "Hm"}).status_code == 403
    assert not ActionComment.objects.exists()


def test_a_coordinator_agrees_a_proposal(world, client_for):
    proposal = make_action(world.project, stage=ActionStatus.Stage.PROPOSED, proposed_by=world.peer)
    agreed = status_for(world.project, ActionStatus.Stage.AGREED)
    response = client_for(world.coordinator).post(
        _url(world, "decide", pk=proposal.pk), {"decision": "agree", "agree-status": agreed.pk}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == agreed and proposal.progress == 10
    assert set(AuditEvent.objects.filter(object_id=str(proposal.pk)).values_list("action", flat=True)) >= {
        "action.agreed",
        "action.status_changed",
    }


def test_agreeing_refuses_a_status_that_is_not_agreed(world, client_for):
    proposal = make_action(world.project, stage=ActionStatus.Stage.PROPOSED)
    declined = status_for(world.project, ActionStatus.Stage.NOT_TAKEN_FORWARD)
    response = client_for(world.coordinator).post(
        _url(world, "decide", pk=proposal.pk), {"decision": "agree", "agree-status": declined.pk}
    )
    assert response.status_code == 200
    assert "Choose an agreed status from this project's list." in response.context["form"].errors["status"]
    proposal.refresh_from_db()
    assert proposal.status.stage == ActionStatus.Stage.PROPOSED


def test_declining_needs_a_reason(world, client_for):
    proposal = make_action(world.project, stage=ActionStatus.Stage.PROPOSED)
    declined = status_for(world.project, ActionStatus.Stage.NOT_TAKEN_FORWARD)
    client = client_for(world.coordinator)
    url = _url(world, "decide", pk=proposal.pk)
    response = client.post(url, {"decision": "decline", "decline-status": declined.pk, "decline-reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert Action.objects.get(pk=proposal.pk).status.stage == ActionStatus.Stage.PROPOSED
    reason = "The hubs already open on Fridays."
    response = client.post(url, {"decision": "decline", "decline-status": declined.pk, "decline-reason": reason})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason) == (declined, reason)
    assert AuditEvent.objects.filter(action="action.declined", object_id=str(proposal.pk)).exists()
    assert not AuditEvent.objects.filter(object_id=reason).exists()


def test_merging_carries_comments_and_themes_to_the_target_and_leaves_the_lists(world, client_for):
    target = make_action(world.project, "Three outreach hubs")
    proposal = make_action(world.project, "A hub near the station", stage=ActionStatus.Stage.PROPOSED, proposed_by=world.peer)
    lighting = theme_for(world.project)
    proposal.themes.add(lighting)
    ActionComment.objects.create(action=proposal, author=world.second_peer, text="Near the station please.")
    client = client_for(world.coordinator)
    response = client.post(_url(world, "decide", pk=proposal.pk), {"decision": "merge", "merge-into": target.pk})
    assert response.status_code == 302 and response["Location"] == _url(world, "action", pk=target.pk)
    proposal.refresh_from_db()
    assert proposal.merged_into == target
    assert list(target.themes.all()) == [lighting]
    assert list(target.comments.values_list("text", flat=True)) == ["Near the station please."]
    audited = AuditEvent.objects.filter(action__in=["action.merged", "action.merged_into"])
    assert sorted(audited.values_list("action", "object_id")) == [
        ("action.merged", str(proposal.pk)),
        ("action.merged_into", str(target.pk)),
    ]
    plan = client.get(_url(world, "plan"))
    assert "A hub near the station" not in plan.text and "Three outreach hubs" in plan.text
    assert client.get(_url(world, "action", pk=proposal.pk))["Location"] == _url(world, "action", pk=target.pk)


def test_merging_refuses_another_projects_action_and_itself(world, client_for):
    proposal = make_action(world.project, stage=ActionStatus.Stage.PROPOSED)
    client = client_for(world.coordinator)
    for into in (make_action(world.other_project).pk, proposal.pk, "nonsense"):
        response = client.post(_url(world, "decide", pk=proposal.pk), {"decision": "merge", "merge-into": into})
        assert response.status_code == 200
        assert "Choose another action of this project to merge into." in response.context["form"].errors["into"]
    assert Action.objects.get(pk=proposal.pk).merged_into is None


def test_a_decided_action_is_not_decided_again(world, client_for):
    agreed = make_action(world.project)
    declined = status_for(world.project, ActionStatus.Stage.NOT_TAKEN_FORWARD)
    response = client_for(world.coordinator).post(
        _url(world, "decide", pk=agreed.pk), {"decision": "decline", "decline-status": declined.pk, "decline-reason": "x"}
    )
    assert response.status_code == 302
    assert Action.objects.get(pk=agreed.pk).status.stage == ActionStatus.Stage.AGREED


def test_peer_researchers_cannot_decide(world, client_for):
    proposal = make_action(world.project, stage=ActionStatus.Stage.PROPOSED, proposed_by=world.peer)
    agreed = status_for(world.project)
    response = client_for(world.peer).post(
        _url(world, "decide", pk=proposal.pk), {"decision": "agree", "agree-status": agreed.pk}
    )
    assert response.status_code == 403
    assert Action.objects.get(pk=proposal.pk).status.stage == ActionStatus.Stage.PROPOSED


def test_analysts_link_and_unlink_active_themes_only(world, client_for):
    action = make_action(world.project)
    safety, lighting = theme_for(world.project, "Street safety"), theme_for(world.project, "Lighting")
    retired = theme_for(world.project, "Old theme", status=Theme.Status.RETIRED)
    elsewhere = theme_for(world.other_project, "Elsewhere")
    client = client_for(world.analyst)
    url = _url(world, "themes", pk=action.pk)
    assert client.post(url, {"themes": [safety.pk, lighting.pk]}).status_code == 302
    assert set(action.themes.all()) == {safety, lighting}
    assert AuditEvent.objects.filter(action="action.themes_linked", object_id=str(action.pk)).exists()
    for refused in (retired.pk, elsewhere.pk):
        response = client.post(url, {"themes": [safety.pk, refused]})
        assert response.status_code == 200
        assert "Link only themes that are in use" in " ".join(response.context["form"].errors["themes"])
    assert set(action.themes.all()) == {safety, lighting}
    client.post(url, {"themes": [lighting.pk]})
    assert list(action.themes.all()) == [lighting]
    assert "Lighting" in client.get(_url(world, "action", pk=action.pk)).text


def test_a_linked_theme_retired_since_can_still_be_unlinked(world, client_for):
    action = make_action(world.project)
    theme = theme_for(world.project, "Was active")
    action.themes.add(theme)
    Theme.objects.filter(pk=theme.pk).update(status=Theme.Status.RETIRED)
    client = client_for(world.coordinator)
    url = _url(world, "themes", pk=action.pk)
    assert "Was active (retired)" in client.get(url).text
    assert client.post(url, {"themes": [theme.pk]}).status_code == 302, "keeping it linked is no new link"
    client.post(url, {})
    assert not action.themes.exists()


def test_peer_researchers_do_not_link_themes(world, client_for):
    action = make_action(world.project)
    theme = theme_for(world.project)
    assert client_for(world.peer).post(_url(world, "themes", pk=action.pk), {"themes": [theme.pk]}).status_code == 403
    assert not action.themes.exists()
