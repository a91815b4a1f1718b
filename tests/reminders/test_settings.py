"""A person chooses how they are reminded on their account page."""

import pytest

from coproduction.models import Notification
from tests.factories import UserFactory

URL = "/account/"


def test_the_account_page_offers_email_and_keeps_what_was_chosen(world, client_for):
    response = client_for(world.peer).get(URL)
    assert response.status_code == 200
    assert b"How should we remind you?" in response.content
    assert b'value="sms"' not in response.content  # Notify is not configured here
    assert b"Text messages are not available" in response.content


def test_saving_channels_phone_and_time_zone(world, client_for, notify):
    response = client_for(world.peer).post(
        URL, {"reminder_channels": ["email", "sms"], "phone_number": "07911 123456", "time_zone": "Europe/Paris"}
    )
    assert response.status_code == 302
    world.peer.refresh_from_db()
    assert world.peer.reminder_channels == ["email", "sms"]
    assert world.peer.phone_number == "+447911123456"  # E.164, stored encrypted
    assert world.peer.time_zone == "Europe/Paris"
    assert world.peer.notification_channels() == [Notification.Channel.NOTIFY_EMAIL, Notification.Channel.SMS]


def test_the_phone_number_is_encrypted_at_rest(world, notify):
    from django.db import connection

    world.peer.phone_number = "+447911123456"
    world.peer.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone_number FROM coproduction_user WHERE id = %s", [world.peer.pk])
        (stored,) = cursor.fetchone()
    assert "7911123456" not in str(stored)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reminder_channels": ["sms"], "phone_number": "12"}, "phone_number", "Enter a phone number"),
        ({"reminder_channels": ["sms"], "phone_number": ""}, "phone_number", "Enter a mobile phone number"),
        ({"phone_number": "07911 123456"}, "reminder_channels", "Choose at least one way"),
        ({"reminder_channels": ["email"], "time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(world, client_for, notify, data, field, message):
    response = client_for(world.peer).post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"There is a problem" in response.content
    world.peer.refresh_from_db()
    assert world.peer.reminder_channels == [] and world.peer.phone_number in (None, "")
    if data.get("phone_number"):
        assert data["phone_number"].encode() in response.content  # what was typed is kept


def test_sms_cannot_be_chosen_when_notify_is_not_configured(world, client_for):
    response = client_for(world.peer).post(URL, {"reminder_channels": ["sms"], "phone_number": "07911 123456"})
    assert response.status_code == 200
    world.peer.refresh_from_db()
    assert world.peer.reminder_channels == []


def test_anonymous_is_sent_to_sign_in(client):
    response = client.post(URL, {"reminder_channels": ["email"]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_channels_default_to_email(db, settings):
    settings.NOTIFY_API_KEY = ""
    user = UserFactory()
    assert user.notification_channels() == [Notification.Channel.EMAIL]
    user.reminder_channels = ["sms"]
    user.phone_number = "+447911123456"
    assert user.notification_channels() == [Notification.Channel.EMAIL]  # no Notify: never silent
