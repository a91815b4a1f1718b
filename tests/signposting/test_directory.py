"""The signposting directory and the distress protocol's steps: coordinators edit them, peer
researchers read them (directory, phone view, pocket card); bad input saves nothing; stale
entries are flagged to coordinators."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduction.models import AuditEvent, ProtocolStep, SupportService
from coproduction.models.signposting import DEFAULT_PROTOCOL
from coproduction.signposting import panels
from tests.factories import ProjectFactory
from tests.signposting.factories import service, steps

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)


def _url(name, world, **kwargs):
    return reverse(f"signposting:{name}", kwargs={"slug": world.project.slug, **kwargs})


GOOD = {
    "name": "Wexcombe Advice Line",
    "helps_with": "Housing, benefits and debt",
    "phone": "0808 157 0202",
    "opening_hours": "Every day, 10am to 10pm",
    "address": "",
    "languages": "English, Polish",
    "walk_in": "",
}


# ---------------------------------------------------------------- the directory


def test_a_coordinator_adds_a_service_with_its_number_stored_to_dial(world, client_for):
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.coordinator).post(_url("service_new", world), GOOD)
    assert response.status_code == 302
    added = SupportService.objects.get(project=world.project)
    assert added.phone == "+448081570202" and added.phone_display == "0808 157 0202"
    assert added.reviewed_on == date(2026, 6, 10) and not added.walk_in
    assert AuditEvent.objects.filter(action="support_service.added", object_id=str(added.pk)).exists()


def test_a_short_helpline_number_is_accepted_and_dialled_as_it_is(world, client_for):
    client_for(world.coordinator).post(_url("service_new", world), GOOD | {"phone": "116 123"})
    assert SupportService.objects.get(project=world.project).phone == "116123"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": "12"}, "phone", "Enter a phone number, like 0808 2000 247"),
        ({"phone": "call us"}, "phone", "Enter a phone number"),
        ({"phone": "", "address": ""}, "phone", "Give a phone number or an address"),
        ({"name": ""}, "name", "Enter the name of the service."),
        ({"helps_with": "Debt\x00"}, "helps_with", "control characters"),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
    ],
)
def test_bad_service_details_are_refused_with_a_message_and_kept_on_the_form(world, client_for, change, field, message):
    response = client_for(world.coordinator).post(_url("service_new", world), GOOD | change)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not SupportService.objects.exists()
    assert response.context["form"]["opening_hours"].value() == GOOD["opening_hours"]  # what was typed stays


def test_a_name_already_in_the_directory_is_refused(world, client_for):
    service(world.project, "Wexcombe Advice Line")
    response = client_for(world.coordinator).post(_url("service_new", world), GOOD | {"name": "wexcombe advice line "})
    assert "already in the directory" in response.context["form"].errors["name"][0]
    assert SupportService.objects.count() == 1


def test_editing_a_service_saves_it_and_counts_as_checking_it(world, client_for):
    entry = service(world.project, reviewed_days_ago=300)
    with time_machine.travel(NOW, tick=False):
        form = client_for(world.coordinator).get(_url("service_change", world, pk=entry.pk)).context["form"]
        assert form["phone"].value() == "020 7946 0101"  # shown as people write it
        response = client_for(world.coordinator).post(
            _url("service_change", world, pk=entry.pk), GOOD | {"name": entry.name, "walk_in": "on"}
        )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.helps_with == GOOD["helps_with"] and entry.walk_in and entry.reviewed_on == date(2026, 6, 10)


def test_another_projects_service_is_not_found(world, client_for):
    theirs = service(world.other_project)
    client = client_for(world.coordinator)
    assert client.get(_url("service_change", world, pk=theirs.pk)).status_code == 404
    assert client.post(_url("service_remove", world, pk=theirs.pk)).status_code == 404
    assert SupportService.objects.filter(pk=theirs.pk).exists()


def test_removing_a_service(world, client_for):
    entry = service(world.project)
    client_for(world.coordinator).post(_url("service_remove", world, pk=entry.pk))
    assert not SupportService.objects.exists()
    assert AuditEvent.objects.filter(action="support_service.removed").exists()


def test_peer_researchers_read_the_directory_without_the_edit_buttons(world, client_for):
    service(world.project)
    body = client_for(world.peer).get(_url("directory", world)).content.decode()
    assert "Riverside Night Hub" in body and 'href="tel:+442079460101"' in body
    assert "Add a service" not in body and "Mark checked" not in body


def test_the_directory_lists_in_constant_queries_and_pages(world, client_for):
    client = client_for(world.coordinator)
    service(world.project, "Service 0")
    client.get(_url("directory", world))
    with CaptureQueriesContext(connection) as few:
        client.get(_url("directory", world))
    for n in range(1, 30):
        service(world.project, f"Service {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url("directory", world))
    assert len(many) == len(few)
    assert len(response.context["page"].object_list) == 25 and response.context["page"].has_next()


# ---------------------------------------------------------------- stale entries


def test_an_entry_not_checked_for_six_months_is_flagged_to_coordinators_until_checked(world, client_for, rf):
    with time_machine.travel(NOW, tick=False):
        service(world.project, "Fresh", reviewed_days_ago=182)
        old = service(world.project, "Old", reviewed_days_ago=184)
        coordinator = client_for(world.coordinator)
        dashboard = coordinator.get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
        assert "1 service in the signposting directory has not been checked" in dashboard.content.decode()
        assert [line.count for line in panels.digest_section(world.project)] == [1]
        assert "1 entry not checked for six months" in coordinator.get(_url("directory", world)).content.decode()
        coordinator.post(_url("service_reviewed", world, pk=old.pk))
        old.refresh_from_db()
        assert old.reviewed_on == date(2026, 6, 10)
        assert panels.stale_services(None, world.project) is None
        assert "signposting directory" not in coordinator.get(dashboard.request["PATH_INFO"]).content.decode()


def test_peer_researchers_are_not_shown_the_stale_flag_on_their_dashboard(world, client_for):
    service(world.project, reviewed_days_ago=400)
    body = client_for(world.peer).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()
    assert "not been checked" not in body


# ---------------------------------------------------------------- the phone view and the pocket card


def test_the_phone_view_shows_the_steps_in_order_and_numbers_to_call(world, client_for):
    service(world.project)
    service(world.project, "Samaritans-like line", phone="116123", address="", walk_in=False)
    body = client_for(world.peer).get(_url("phone", world)).content.decode()
    titles = [title for title, _ in DEFAULT_PROTOCOL]
    assert [body.index(title) for title in titles] == sorted(body.index(title) for title in titles)
    assert 'href="tel:+442079460101"' in body and 'href="tel:116123"' in body
    assert "Walk in, no appointment needed." in body and "Languages: English, Romanian" in body


def test_the_pocket_card_prints_and_downloads_without_naming_the_project_or_its_subject(world, client_for):
    service(world.project, "Tannery Lane Hub")
    client = client_for(world.peer)
    card = client.get(_url("card", world)).content.decode()
    main = card.split('id="main-content"', 1)[1]
    assert "cg-pocket-card" in main and "Tannery Lane Hub" in main and world.project.name not in main
    assert "distress" not in main.lower() and "protocol" not in main.lower()
    pdf = client.get(_url("card_pdf", world))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]


# ---------------------------------------------------------------- the protocol's steps


def test_a_new_project_gets_the_default_three_stage_protocol():
    project = ProjectFactory(name="New", slug="new")
    assert [step.title for step in project.protocol_steps.all()] == ["Stop and check", "Pause or end", "Signpost and follow up"]


def test_the_migration_gives_existing_projects_the_default_protocol(world):
    import importlib

    migration = importlib.import_module("coproduction.migrations.0151_default_protocol_steps")
    ProtocolStep.objects.filter(project=world.project).delete()
    kept = list(ProtocolStep.objects.filter(project=world.other_project).values_list("pk", flat=True))
    migration.seed_default_protocol(django_apps, None)
    migration.seed_default_protocol(django_apps, None)  # again: nothing doubled
    assert [step.title for step in world.project.protocol_steps.all()] == [title for title, _ in DEFAULT_PROTOCOL]
    assert list(ProtocolStep.objects.filter(project=world.other_project).values_list("pk", flat=True)) == kept
    assert migration.DEFAULT_PROTOCOL == DEFAULT_PROTOCOL


def test_coordinators_add_edit_and_reorder_steps(world, client_for):
    client = client_for(world.coordinator)
    first, second, third = steps(world.project)
    client.post(_url("protocol", world), {"title": "Breathe", "guidance": "Take a breath together."})
    client.post(_url("step_move", world, pk=third.pk), {"direction": "up"})
    client.post(_url("step_change", world, pk=first.pk), {"title": "Stop", "guidance": "Stop and ask."})
    assert [s.title for s in world.project.protocol_steps.all()] == ["Stop", "Signpost and follow up", "Pause or end", "Breathe"]
    assert [s.order for s in world.project.protocol_steps.all()] == [0, 1, 2, 3]


def test_a_step_without_a_title_is_refused(world, client_for):
    response = client_for(world.coordinator).post(_url("protocol", world), {"title": "", "guidance": "Something"})
    assert response.status_code == 200 and response.context["form"].errors["title"]
    assert world.project.protocol_steps.count() == 3


def test_the_last_step_cannot_be_removed(world, client_for):
    client = client_for(world.coordinator)
    for step in steps(world.project)[:2]:
        client.post(_url("step_remove", world, pk=step.pk))
    last = world.project.protocol_steps.get()
    response = client.post(_url("step_remove", world, pk=last.pk), follow=True)
    assert "at least one step" in response.content.decode()
    assert world.project.protocol_steps.count() == 1


def test_a_step_named_on_a_record_cannot_be_removed(world, client_for):
    from tests.interviews.factories import completed_interview
    from tests.signposting.factories import protocol_use

    used = protocol_use(completed_interview(world), stage=1).stage_reached
    response = client_for(world.coordinator).post(_url("step_remove", world, pk=used.pk), follow=True)
    assert "stays" in response.content.decode()
    assert ProtocolStep.objects.filter(pk=used.pk).exists()


def test_another_projects_step_is_not_found(world, client_for):
    theirs = steps(world.other_project)[0]
    assert client_for(world.coordinator).post(_url("step_remove", world, pk=theirs.pk)).status_code == 404
    assert ProtocolStep.objects.filter(pk=theirs.pk).exists()
