"""Debrief check-ins after a completed interview; alerts to coordinators and their acknowledgement."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduction.models import AuditEvent, Notification, Role
from interviews.models import Interview
from interviews.signals import interview_completed
from tests.factories import member
from tests.wellbeing.factories import interview
from wellbeing.models import CheckIn, SupportPolicy

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"wellbeing:{name}", kwargs={"slug": world.project.slug, **kwargs})


def complete(world, interviewer=None):
    item = interview(world.project, interviewer or world.peer, starts_at=timezone.now() - timedelta(hours=2))
    item.status = Interview.Status.COMPLETED
    item.completed_at = timezone.now()
    item.save()
    interview_completed.send(sender=Interview, interview=item)
    return item


def test_completed_interview_asks_its_interviewer_for_a_check_in_once(world, client_for):
    item = complete(world)
    interview_completed.send(sender=Interview, interview=item)  # a repeated signal changes nothing
    check_in = CheckIn.objects.get()
    assert (check_in.person, check_in.project, check_in.interview) == (world.peer, world.project, item)
    assert check_in.completed_at is None
    dashboard = client_for(world.peer).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    assert url("check_in", world, pk=check_in.pk) in dashboard.content.decode()


def test_no_check_in_for_an_interviewer_who_is_not_a_peer_researcher(world):
    complete(world, interviewer=world.coordinator)
    assert not CheckIn.objects.exists()


def test_wants_to_talk_alerts_coordinators_without_a_score_or_a_name(world, client_for):
    second_coordinator = member(world.project, Role.COORDINATOR)
    complete(world)
    check_in = CheckIn.objects.get()
    response = client_for(world.peer).post(
        url("check_in", world, pk=check_in.pk), {"score": "8", "wants_to_talk": "on", "private_note": "Hard one"}
    )
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.alert_raised_at is not None and check_in.private_note == "Hard one"
    alerts = Notification.objects.filter(template="coordinator-alert")
    assert {n.recipient for n in alerts} == {world.coordinator, second_coordinator}
    assert world.outsiders["coordinator"] not in {n.recipient for n in alerts}
    # The outbox row holds a template name and ids only: nothing to read the score or the reason from.
    assert all(n.starts_at is None and n.about_type == "wellbeing.checkin" for n in alerts)


@pytest.mark.parametrize(("score", "alerted"), [(0, True), (3, True), (4, False), (10, False)])
def test_score_at_or_under_the_threshold_alerts(world, client_for, score, alerted):
    SupportPolicy.objects.create(project=world.project, check_in_alert_threshold=3)
    complete(world)
    check_in = CheckIn.objects.get()
    client_for(world.peer).post(url("check_in", world, pk=check_in.pk), {"score": str(score)})
    check_in.refresh_from_db()
    assert check_in.completed_at is not None
    assert (check_in.alert_raised_at is not None) is alerted
    assert Notification.objects.filter(template="coordinator-alert").exists() is alerted


@pytest.mark.parametrize("score", ["11", "-1", "", "five"])
def test_bad_score_is_refused_and_nothing_is_saved(world, client_for, score):
    complete(world)
    check_in = CheckIn.objects.get()
    response = client_for(world.peer).post(url("check_in", world, pk=check_in.pk), {"score": score, "private_note": "Kept"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Kept" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.completed_at is None and not check_in.private_note


def test_only_the_interviewer_can_open_their_check_in(world, client_for):
    complete(world)
    check_in = CheckIn.objects.get()
    assert client_for(world.second_peer).get(url("check_in", world, pk=check_in.pk)).status_code == 404
    assert client_for(world.coordinator).get(url("check_in", world, pk=check_in.pk)).status_code == 403
    client_for(world.peer).post(url("check_in", world, pk=check_in.pk), {"score": "6"})
    # Done is done: a completed check-in cannot be reopened or rewritten.
    assert client_for(world.peer).get(url("check_in", world, pk=check_in.pk)).status_code == 404


def test_alert_stays_on_the_dashboard_until_acknowledged_and_the_acknowledgement_is_audited(world, client_for):
    complete(world)
    check_in = CheckIn.objects.get()
    client_for(world.peer).post(url("check_in", world, pk=check_in.pk), {"score": "2", "private_note": "Secret words"})
    client = client_for(world.coordinator)
    dashboard_url = reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})
    page = client.get(dashboard_url).content.decode()
    assert "Asked for support" in page and str(world.peer) in page
    assert "Secret words" not in page and ">2<" not in page
    assert client.get(dashboard_url).content.decode().count(url("alert_acknowledge", world, pk=check_in.pk)) == 1

    response = client.post(url("alert_acknowledge", world, pk=check_in.pk), {"next": "dashboard"})
    assert response.status_code == 302 and response["Location"] == dashboard_url
    check_in.refresh_from_db()
    assert check_in.alert_acknowledged_by == world.coordinator
    event = AuditEvent.objects.get(action="check_in.alert_acknowledged")
    assert (event.actor, event.object_id) == (world.coordinator, str(check_in.pk))
    assert url("alert_acknowledge", world, pk=check_in.pk) not in client.get(dashboard_url).content.decode()
    assert client.post(url("alert_acknowledge", world, pk=check_in.pk)).status_code == 404  # once


def test_outsiders_cannot_acknowledge(world, client_for):
    complete(world)
    check_in = CheckIn.objects.get()
    client_for(world.peer).post(url("check_in", world, pk=check_in.pk), {"score": "1"})
    assert client_for(world.peer).post(url("alert_acknowledge", world, pk=check_in.pk)).status_code == 403
    other = reverse("wellbeing:alert_acknowledge", kwargs={"slug": world.other_project.slug, "pk": check_in.pk})
    assert client_for(world.outsiders["coordinator"]).post(other).status_code == 404
    check_in.refresh_from_db()
    assert check_in.alert_acknowledged_at is None


def test_the_author_alone_reads_their_past_check_ins(world, client_for):
    complete(world)
    check_in = CheckIn.objects.get()
    client_for(world.peer).post(url("check_in", world, pk=check_in.pk), {"score": "6", "private_note": "For me only"})
    assert "For me only" in client_for(world.peer).get(url("check_in_list", world)).content.decode()
    assert "For me only" not in client_for(world.second_peer).get(url("check_in_list", world)).content.decode()
    for role in ["coordinator", "analyst", "supervisor"]:
        assert client_for(world.members[role]).get(url("check_in_list", world)).status_code == 403


def test_the_score_has_no_default_and_must_be_chosen(world, client_for):
    """A preselected 0 ("very bad") was sent by anyone who only ticked "I would like to talk"."""
    complete(world)
    check_in = CheckIn.objects.get()
    page = client_for(world.peer).get(url("check_in", world, pk=check_in.pk)).content.decode()
    assert " selected>" not in page and '<option value="">Choose a number</option>' in page
    response = client_for(world.peer).post(url("check_in", world, pk=check_in.pk), {"private_note": "kept as typed"})
    assert response.status_code == 200 and "Choose a number from 0 to 10." in response.content.decode()
    assert "kept as typed" in response.content.decode()
    check_in.refresh_from_db()
    assert check_in.completed_at is None and check_in.score is None


def test_the_check_in_names_the_interview_it_follows_by_the_interview_date(world, client_for):
    item = complete(world)
    item.starts_at = timezone.now() - timedelta(days=3)
    item.save(update_fields=["starts_at"])
    check_in = CheckIn.objects.get()
    expected = f"after your interview on {timezone.localtime(item.starts_at):%-d %B %Y}"
    dashboard = client_for(world.peer).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    assert expected in dashboard.content.decode()
    assert expected in client_for(world.peer).get(url("check_in", world, pk=check_in.pk)).content.decode()
    # An interview deleted since (its check-in stays) is not named.
    item.delete()
    page = client_for(world.peer).get(url("check_in", world, pk=check_in.pk)).content.decode()
    assert "after your interview" not in page and "A short check-in asked on" in page
