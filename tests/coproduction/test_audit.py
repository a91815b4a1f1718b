"""Audit rows are append-only everywhere: model, queryset, admin, and the database itself."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from coproduction.audit import record
from coproduction.models import AuditEvent, Role
from coproduction.models.audit import AuditImmutable


@pytest.fixture
def event(world):
    return record(world.coordinator, "membership.role_changed", world.project.memberships.first())


def test_record_keeps_who_what_which_and_when_but_no_content(event, world):
    assert event.actor == world.coordinator
    assert event.project == world.project
    assert event.object_type == "coproduction.membership"
    assert event.object_id.isdigit()
    assert {f.name for f in AuditEvent._meta.fields} == {"id", "actor", "action", "project", "object_type", "object_id", "at"}


def test_an_audit_row_cannot_be_changed_or_deleted_through_the_model(event):
    event.action = "something.else"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "membership.role_changed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_raw_updates_and_deletes(event):
    table = AuditEvent._meta.db_table
    for sql in [f"UPDATE {table} SET action = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "membership.role_changed"


def test_the_admin_offers_no_way_to_add_change_or_delete(admin_client, event):
    changelist = admin_client.get(reverse("admin:coproduction_auditevent_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:coproduction_auditevent_add") not in changelist.content.decode()
    detail = admin_client.get(reverse("admin:coproduction_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client.post(reverse("admin:coproduction_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert admin_client.post(
        reverse("admin:coproduction_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    ).status_code in {200, 302}
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_coordinators_see_their_projects_log_only(client_for, world, event):
    elsewhere = record(world.outsiders[Role.COORDINATOR], "invitation.sent", world.other_project)
    page = client_for(world.coordinator).get(reverse("coproduction:audit", args=[world.project.slug])).content.decode()
    assert ">Membership: role changed</td>" in page
    assert elsewhere.action == "invitation.sent"
    assert "invitation.sent" not in page and "Invitation: sent" not in page  # neither as a row nor as a filter choice


def test_the_log_filters_by_person_action_and_date(client_for, world, event):
    record(world.peer, "invitation.accepted", world.project)
    url = reverse("coproduction:audit", args=[world.project.slug])
    client = client_for(world.coordinator)

    by_person = client.get(url, {"person": world.peer.pk}).content.decode()
    assert ">Invitation: accepted</td>" in by_person and ">Membership: role changed</td>" not in by_person

    by_action = client.get(url, {"action": "membership.role_changed"}).content.decode()
    assert ">Membership: role changed</td>" in by_action and ">Invitation: accepted</td>" not in by_action

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = client.get(url, {"date_from": tomorrow}).content.decode()
    assert ">Membership: role changed</td>" not in future
    assert "No events" in future or "no events" in future.lower()


def test_a_backwards_date_range_is_explained(client_for, world, event):
    url = reverse("coproduction:audit", args=[world.project.slug])
    response = client_for(world.coordinator).get(url, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()


def test_the_log_page_costs_the_same_queries_for_more_rows(client_for, world, django_assert_max_num_queries):
    url = reverse("coproduction:audit", args=[world.project.slug])
    client = client_for(world.coordinator)
    for _ in range(3):
        record(world.coordinator, "invitation.sent", world.project)
    client.get(url)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(40):
        record(world.peer, "invitation.accepted", world.project)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
