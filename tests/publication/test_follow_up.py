"""Contact details kept for updates: recorded on the participant's page only while consent allows
follow-up, or asked for on the public request form; the "Stop updates" page; the project's
follow-up end date setting."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduction.engagement import actions as engagement_actions
from coproduction.engagement.actions import close_session_request, erase_closed_session_requests
from coproduction.models import AuditEvent, FollowUpContact, IndividualSessionRequest, Notification, Project
from tests.encrypted_records import read_column
from tests.engagement.factories import listing_for
from tests.participation.factories import consenting_participant
from tests.publication.follow_up_factories import (
    follow_up_participant,
    give_consent,
    participant_contact,
    published_version,
    resident_contact,
)

pytestmark = pytest.mark.django_db


def updates_url(participant, name="follow_up"):
    return reverse(f"participation:{name}", kwargs={"slug": participant.project.slug, "pk": participant.pk})


def detail_url(participant):
    return updates_url(participant, "detail")


def stop_url(project):
    return reverse("participation:stop_updates", kwargs={"slug": project.slug})


def post_details(client, participant, email="kit@example.org", phone=""):
    return client.post(updates_url(participant), {"updates-email": email, "updates-phone": phone})


# ---------------------------------------------------------------- on the participant's page


def test_a_coordinator_keeps_details_for_updates_when_consent_allows_follow_up(world, client_for):
    participant = follow_up_participant(world)
    client = client_for(world.coordinator)
    page = client.get(detail_url(participant)).content.decode()
    assert "Contact details for updates" in page and 'name="updates-email"' in page

    response = post_details(client, participant, email="kit@example.org", phone="07700 900 123")

    assert response.status_code == 302 and response["Location"] == detail_url(participant)
    contact = FollowUpContact.objects.get()
    assert (contact.project, contact.participant, contact.source) == (world.project, participant, "participant")
    assert (contact.email, contact.phone) == ("kit@example.org", "+447700900123")
    assert "kit@example.org" not in read_column(FollowUpContact, "email", contact.pk)  # encrypted at rest
    # Kept apart: the reminder details are untouched (they are erased after the interview).
    participant.refresh_from_db()
    assert (participant.contact_email, participant.contact_phone, participant.wants_reminders) == (None, None, False)
    assert AuditEvent.objects.filter(action="follow_up_contact.recorded", object_id=str(contact.pk)).exists()
    shown = client.get(detail_url(participant)).content.decode()
    assert "kit@example.org" in shown and "+447700900123" in shown and "Erase contact details for updates" in shown


def test_recording_again_replaces_the_details(world, client_for):
    participant = follow_up_participant(world)
    client = client_for(world.coordinator)
    post_details(client, participant, email="first@example.org")
    post_details(client, participant, email="second@example.org")
    assert [c.email for c in FollowUpContact.objects.all()] == ["second@example.org"]


def test_refused_when_the_current_consent_does_not_allow_follow_up(world, client_for):
    participant = consenting_participant(world.project, world.coordinator)  # follow_up=False
    client = client_for(world.coordinator)
    page = client.get(detail_url(participant)).content.decode()
    assert "does not allow contact for follow-up" in page and 'name="updates-email"' not in page

    response = post_details(client, participant, email="kit@example.org")

    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert f"{participant.code}&#x27;s current consent does not allow contact for follow-up" in body
    assert not FollowUpContact.objects.exists()


def test_a_later_consent_with_follow_up_lets_details_be_kept(world, client_for):
    participant = consenting_participant(world.project, world.coordinator)
    give_consent(participant, world.coordinator, follow_up=True)
    assert post_details(client_for(world.coordinator), participant).status_code == 302
    assert FollowUpContact.objects.filter(participant=participant).exists()


@pytest.mark.parametrize(
    ("email", "phone", "message"),
    [
        ("", "", "Enter an email address or a mobile number for the updates."),
        ("not-an-address", "", "Enter a valid email address."),
        ("", "12", "Enter a phone number, like 07700 900 982"),
        ("", "07700 900 123", "Text messages are not set up for this service."),
    ],
)
def test_bad_details_are_explained_keep_what_was_typed_and_save_nothing(world, client_for, settings, email, phone, message):
    settings.NOTIFY_API_KEY = ""
    participant = follow_up_participant(world)
    response = post_details(client_for(world.coordinator), participant, email=email, phone=phone)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and message in body
    for typed in (email, phone):
        if typed:
            assert f'value="{typed}"' in body
    assert not FollowUpContact.objects.exists()


def test_a_mobile_number_alone_is_kept_when_text_messages_are_set_up(world, client_for, settings):
    settings.NOTIFY_API_KEY, settings.NOTIFY_SMS_TEMPLATE_ID = "key", "sms-template"
    participant = follow_up_participant(world)
    assert post_details(client_for(world.coordinator), participant, email="", phone="07700 900 123").status_code == 302
    assert FollowUpContact.objects.get().phone == "+447700900123"


@pytest.mark.parametrize("who", ["peer", "analyst", "supervisor"])
def test_other_roles_cannot_keep_or_erase_details(world, client_for, who):
    participant = follow_up_participant(world)
    client = client_for(getattr(world, who))
    assert post_details(client, participant).status_code == 403
    assert client.post(updates_url(participant, "follow_up_erase")).status_code == 403
    assert client.get(detail_url(participant)).status_code == 403
    assert not FollowUpContact.objects.exists()


def test_another_projects_coordinator_gets_404(world, client_for):
    participant = follow_up_participant(world)
    outsider = client_for(world.outsiders["coordinator"])
    assert post_details(outsider, participant).status_code == 404
    # And their own project's address with this project's participant: 404 too.
    wrong = reverse("participation:follow_up", kwargs={"slug": world.other_project.slug, "pk": participant.pk})
    assert outsider.post(wrong, {"updates-email": "kit@example.org"}).status_code == 404
    assert not FollowUpContact.objects.exists()


def test_anonymous_is_sent_to_sign_in(world, client):
    participant = follow_up_participant(world)
    response = post_details(client, participant)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not FollowUpContact.objects.exists()


def test_a_withdrawn_participant_gets_no_details_kept(world, client_for):
    from coproduction.participation.actions import withdraw_participant

    participant = follow_up_participant(world)
    withdraw_participant(participant, by=world.coordinator)
    assert post_details(client_for(world.coordinator), participant).status_code == 404
    assert not FollowUpContact.objects.exists()


def test_the_coordinator_erases_the_details_and_unsent_notices_are_cancelled(world, client_for):
    from coproduction.publication.notices import schedule_follow_up_notices

    contact = participant_contact(world)
    schedule_follow_up_notices(published_version(world.project, world.coordinator))
    client = client_for(world.coordinator)

    response = client.post(updates_url(contact.participant, "follow_up_erase"), follow=True)

    assert "Contact details for updates erased" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.email, contact.phone) == (None, None) and contact.erased_at is not None
    assert read_column(FollowUpContact, "email", contact.pk) is None
    assert Notification.objects.get().status == Notification.Status.CANCELLED
    again = client.post(updates_url(contact.participant, "follow_up_erase"), follow=True).content.decode()
    assert "no contact details for updates to erase" in again


def test_a_new_consent_without_follow_up_erases_the_details_at_once(world, client_for):
    from tests.participation.factories import information_sheet

    contact = participant_contact(world)
    consent_url = reverse("participation:consent", kwargs={"slug": world.project.slug, "pk": contact.participant_id})
    data = {"information_sheet": information_sheet(world.project).pk, "take_part": "on", "notes_kept": "on"}
    response = client_for(world.coordinator).post(consent_url, data, follow=True)
    assert "their contact details for updates were erased" in response.content.decode()
    contact.refresh_from_db()
    assert contact.erased_at is not None and contact.email is None


# ---------------------------------------------------------------- Stop updates


def test_stop_updates_erases_every_set_with_that_address_and_nothing_else(world, client_for):
    theirs = participant_contact(world, email="Kit@Example.org")
    their_request = resident_contact(world.project, email="kit@example.org")
    by_phone = resident_contact(world.project, phone="+447700900123")
    someone_else = resident_contact(world.project, email="jo@example.org")
    elsewhere = resident_contact(world.other_project, email="kit@example.org")
    client = client_for(world.coordinator)
    assert "Stop updates" in client.get(stop_url(world.project)).content.decode()

    response = client.post(stop_url(world.project), {"address": " kit@example.org "}, follow=True)
    assert "Contact details for updates erased" in response.content.decode()
    client.post(stop_url(world.project), {"address": "07700 900123"})

    live = set(FollowUpContact.objects.live().values_list("pk", flat=True))
    assert live == {someone_else.pk, elsewhere.pk}
    assert {theirs.pk, their_request.pk, by_phone.pk}.isdisjoint(live)
    nothing = client.post(stop_url(world.project), {"address": "kit@example.org"}, follow=True).content.decode()
    assert "Nothing was erased" in nothing
    assert AuditEvent.objects.filter(action="follow_up_contact.erased").count() == 3


@pytest.mark.parametrize(
    ("typed", "message"), [("", "Enter the email address or phone number"), ("kit@", "Enter an email address like")]
)
def test_stop_updates_explains_bad_input(world, client_for, typed, message):
    resident_contact(world.project, email="kit@example.org")
    response = client_for(world.coordinator).post(stop_url(world.project), {"address": typed})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and message in body
    assert f'value="{typed}"' in body
    assert FollowUpContact.objects.live().count() == 1


def test_stop_updates_is_for_coordinators_of_the_project(world, client_for, client):
    resident_contact(world.project, email="kit@example.org")
    for who in ("peer", "analyst", "supervisor"):
        assert client_for(getattr(world, who)).post(stop_url(world.project), {"address": "kit@example.org"}).status_code == 403
    outsider = client_for(world.outsiders["coordinator"])
    assert outsider.post(stop_url(world.project), {"address": "kit@example.org"}).status_code == 404
    outsider.post(stop_url(world.other_project), {"address": "kit@example.org"})  # their own project: nothing of ours
    client.logout()
    anonymous = client.post(stop_url(world.project), {"address": "kit@example.org"})
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]
    assert FollowUpContact.objects.live().count() == 1


# ---------------------------------------------------------------- the public request form


def _request_url(listing, name="request"):
    return reverse(f"engagement_public:{name}", kwargs={"token": listing.token})


def _send(client, listing, **data):
    page = client.get(_request_url(listing)).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    fields = {"form_token": token, "contact": "sam@example.org", "preferred_time": "Evenings", **data}
    return client.post(_request_url(listing), fields, HTTP_ORIGIN="http://testserver")


def test_the_request_form_offers_updates_and_keeps_the_contact_for_them(world):
    listing = listing_for(world.project)
    client = Client(enforce_csrf_checks=True)
    form = client.get(_request_url(listing))
    assert "Tell me when there is an update from this project" in form.content.decode()

    response = _send(client, listing, wants_updates="on")

    assert response.status_code == 302 and "Set-Cookie" not in response.headers
    request = IndividualSessionRequest.objects.get()
    contact = FollowUpContact.objects.get()
    assert (contact.project, contact.participant, contact.source) == (world.project, None, "session_request")
    assert (contact.email, contact.phone, request.contact) == ("sam@example.org", None, "sam@example.org")
    assert "sam@example.org" not in read_column(FollowUpContact, "email", contact.pk)


def test_without_the_box_ticked_nothing_is_kept_for_updates(world):
    listing = listing_for(world.project)
    assert _send(Client(), listing).status_code == 302
    assert IndividualSessionRequest.objects.count() == 1 and not FollowUpContact.objects.exists()


def test_a_phone_number_is_kept_for_updates_when_text_messages_are_set_up(world, settings):
    settings.NOTIFY_API_KEY, settings.NOTIFY_SMS_TEMPLATE_ID = "key", "sms-template"
    listing = listing_for(world.project)
    assert _send(Client(), listing, contact="07700 900 982", wants_updates="on").status_code == 302
    assert FollowUpContact.objects.get().phone == "+447700900982"


def test_updates_by_text_without_text_messages_set_up_are_explained_and_nothing_is_saved(world, settings):
    settings.NOTIFY_API_KEY = ""
    listing = listing_for(world.project)
    response = _send(Client(), listing, contact="07700 900 982", wants_updates="on", preferred_time="Mornings")
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "We cannot send updates by text message yet" in body
    assert 'value="07700 900 982"' in body and "Mornings" in body and 'id="id_wants_updates" name="wants_updates"' in body
    assert not IndividualSessionRequest.objects.exists() and not FollowUpContact.objects.exists()


def test_the_request_and_its_contact_for_updates_are_kept_in_one_transaction(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(FollowUpContact.objects, "create", broken)
    with pytest.raises(RuntimeError):
        engagement_actions.request_individual_session(
            project=world.project,
            name="",
            contact="sam@example.org",
            contact_is_phone=False,
            preferred_time="Evenings",
            wants_updates=True,
        )
    assert not IndividualSessionRequest.objects.exists()


def test_erasing_the_closed_request_leaves_the_contact_for_updates(world):
    request = engagement_actions.request_individual_session(
        project=world.project,
        name="Sam",
        contact="sam@example.org",
        contact_is_phone=False,
        preferred_time="Evenings",
        wants_updates=True,
    )
    close_session_request(request, by=world.coordinator)
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert erase_closed_session_requests() == 1
    request.refresh_from_db()
    assert request.contact is None
    assert FollowUpContact.objects.get().email == "sam@example.org"  # lives by its own rule


# ---------------------------------------------------------------- the project's follow-up end date


SETTINGS = {
    "name": "Riverside",
    "time_zone": "Europe/London",
    "cohorts_text": "Sex worker\nResident",
    "small_number_threshold": "10",
}


def settings_url(project):
    return reverse("coproduction:project_settings", args=[project.slug])


@time_machine.travel("2027-03-01 12:00 +0000", tick=False)
def test_the_coordinator_sets_the_follow_up_end_date(world, client_for):
    client = client_for(world.coordinator)
    assert 'name="follow_up_ends_on"' in client.get(settings_url(world.project)).content.decode()
    response = client.post(settings_url(world.project), {**SETTINGS, "follow_up_ends_on": "2027-12-31"})
    assert response.status_code == 302
    assert Project.objects.get(pk=world.project.pk).follow_up_ends_on == date(2027, 12, 31)
    assert 'value="2027-12-31"' in client.get(settings_url(world.project)).content.decode()
    client.post(settings_url(world.project), {**SETTINGS, "follow_up_ends_on": ""})
    assert Project.objects.get(pk=world.project.pk).follow_up_ends_on is None


@time_machine.travel("2027-03-01 12:00 +0000", tick=False)
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-31", "Enter a date between 1 January 2000 and 31 December 2099."),
        ("2027-02-30", "Enter a date, like 31/12/2027."),
        ("2027-02-28", "Choose today or a later date."),
    ],
)
def test_a_bad_end_date_is_explained_and_nothing_is_saved(world, client_for, typed, message):
    response = client_for(world.coordinator).post(settings_url(world.project), {**SETTINGS, "follow_up_ends_on": typed})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and message in body
    assert f'value="{typed}"' in body
    assert Project.objects.get(pk=world.project.pk).follow_up_ends_on is None


def test_an_end_date_that_has_since_passed_does_not_block_other_settings(world, client_for):
    Project.objects.filter(pk=world.project.pk).update(follow_up_ends_on=date(2026, 1, 1))
    with time_machine.travel("2027-03-01 12:00 +0000", tick=False):
        response = client_for(world.coordinator).post(
            settings_url(world.project), {**SETTINGS, "name": "Riverside Streets", "follow_up_ends_on": "2026-01-01"}
        )
    assert response.status_code == 302
    assert Project.objects.get(pk=world.project.pk).name == "Riverside Streets"


@pytest.mark.parametrize("who", ["peer", "analyst", "supervisor"])
def test_other_roles_cannot_set_the_end_date(world, client_for, who):
    response = client_for(getattr(world, who)).post(settings_url(world.project), {**SETTINGS, "follow_up_ends_on": "2099-01-01"})
    assert response.status_code == 403
    assert Project.objects.get(pk=world.project.pk).follow_up_ends_on is None
