"""Field encryption keys rotate: new key first, re-encrypt, drop the old key, data still reads."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coproduction.encryption import CannotOpen
from coproduction.models import Participant
from tests.factories import ParticipantFactory


def stored_email(participant) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT contact_email FROM {Participant._meta.db_table} WHERE id = %s", [participant.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(field_keys):
    return field_keys


@pytest.mark.django_db
def test_contact_details_are_encrypted_at_rest(project, keys):
    keys("old-key")
    participant = ParticipantFactory(project=project, contact_email="someone@example.org")
    assert "someone@example.org" not in stored_email(participant)
    assert Participant.objects.get(pk=participant.pk).contact_email == "someone@example.org"


@pytest.mark.django_db
def test_rotation_re_encrypts_so_the_old_key_can_be_dropped(project, keys, capsys):
    keys("old-key")
    participant = ParticipantFactory(project=project, contact_email="someone@example.org")
    before = stored_email(participant)

    keys("new-key", "old-key")
    call_command("rotate_field_keys")
    assert stored_email(participant) != before
    assert "Done: 1 value(s) re-encrypted." in capsys.readouterr().out

    keys("new-key")
    assert Participant.objects.get(pk=participant.pk).contact_email == "someone@example.org"


@pytest.mark.django_db
def test_without_rotation_the_old_key_is_still_needed(project, keys):
    keys("old-key")
    participant = ParticipantFactory(project=project, contact_email="someone@example.org")
    keys("new-key")
    with pytest.raises(CannotOpen):
        Participant.objects.get(pk=participant.pk).contact_email  # noqa: B018


@pytest.mark.django_db
def test_rotation_stops_rather_than_encrypt_a_value_no_key_opens(project, keys):
    keys("old-key")
    participant = ParticipantFactory(project=project, contact_email="someone@example.org")
    before = stored_email(participant)
    keys("new-key")  # the old key was dropped too early
    with pytest.raises(CommandError, match=f"coproduction.Participant.contact_email row {participant.pk}"):
        call_command("rotate_field_keys")
    assert stored_email(participant) == before
    keys("new-key", "old-key")
    call_command("rotate_field_keys")
    keys("new-key")
    assert Participant.objects.get(pk=participant.pk).contact_email == "someone@example.org"
