"""Coordinators see undelivered messages: status, time, channel, template, recipient; no content."""

from django.utils import timezone

from coproduction.models import Notification
from tests.factories import ParticipantFactory


def url(world):
    return f"/p/{world.project.slug}/notifications/failed/"


def failed(make_row, **fields):
    return make_row(status=Notification.Status.FAILED, failed_at=timezone.now(), last_error="NoAddress", **fields)


def test_coordinator_sees_their_projects_failed_messages_only(world, make_row, client_for):
    failed(make_row, recipient=world.peer, project=world.project)
    participant = ParticipantFactory(project=world.project, code="SW-777")
    failed(make_row, recipient_participant=participant, project=world.project, channel=Notification.Channel.SMS)
    failed(make_row, recipient=world.outsiders["peer_researcher"], project=world.other_project)
    make_row(recipient=world.second_peer, project=world.project, status=Notification.Status.SENT)
    response = client_for(world.coordinator).get(url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 undelivered messages" in page
    assert world.peer.display_name in page and "SW-777" in page and "Text message" in page
    assert "appointment-reminder" in page
    assert world.outsiders["peer_researcher"].display_name not in page
    assert world.second_peer.display_name not in page
    assert "You have an appointment" not in page and "NoAddress" not in page  # no content, no error text


def test_other_roles_and_outsiders_are_refused(world, client_for):
    assert client_for(world.peer).get(url(world)).status_code == 403
    assert client_for(world.outsiders["coordinator"]).get(url(world)).status_code == 404


def test_the_list_paginates_in_constant_queries(world, make_row, client_for, django_assert_num_queries):
    client = client_for(world.coordinator)
    for _ in range(2):
        failed(make_row, recipient=world.peer, project=world.project)
    client.get(url(world))  # warm the session and membership caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url(world))
    for _ in range(60):
        failed(make_row, recipient=world.peer, project=world.project)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(world))
    assert len(many) == len(few)
    assert "Page 1 of 2" in response.content.decode()


def test_the_coordinators_dashboard_counts_undelivered_messages(world, make_row, client_for):
    dashboard = f"/p/{world.project.slug}/"
    assert "could not be delivered" not in client_for(world.coordinator).get(dashboard).content.decode()
    failed(make_row, recipient=world.peer, project=world.project)
    page = client_for(world.coordinator).get(dashboard).content.decode()
    assert "1 reminder or alert could not be delivered." in page
    assert "could not be delivered" not in client_for(world.peer).get(dashboard).content.decode()
