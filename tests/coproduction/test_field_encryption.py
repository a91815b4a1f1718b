"""Encrypted fields: real Fernet keys, independent of SECRET_KEY, failing closed, thread-safe.

Every encrypted field in the app registry is covered (tests/encrypted_records.py): a new one
fails `test_every_encrypted_field_is_covered` until it is added there with the page showing it.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, transaction
from django.forms import modelform_factory

from coproduction import checks
from coproduction.encryption import CannotOpen, field_fernet
from coproduction.models import Participant
from tests.conftest import fernet_key
from tests.encrypted_records import NOT_ON_A_PAGE, covered_fields, every_encrypted_value, read_column, registry_fields
from wellbeing.models import Reflection

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(world, field_keys, settings):
    field_keys("current")
    # The account page shows the phone number only when text messages are set up.
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    return every_encrypted_value(world)


def foreign_token(text: str = "written elsewhere") -> str:
    """A well-formed token under a key this installation does not have."""
    return Fernet(fernet_key("a key nobody configured")).encrypt(text.encode()).decode()


def test_every_encrypted_field_is_covered(values):
    assert covered_fields(values) == registry_fields()
    assert len(registry_fields()) == 20


def test_values_are_ciphertext_at_rest_and_open_for_their_readers(values, client_for):
    for value in values:
        stored = value.stored()
        assert value.text not in stored, value.label
        assert value.text in field_fernet().decrypt(stored.encode()).decode(), value.label
        assert getattr(value.model._base_manager.get(pk=value.pk), value.field) is not None
        if value.url is None:
            assert value.label in NOT_ON_A_PAGE
            continue
        response = client_for(value.viewer).get(value.url)
        assert response.status_code == 200, value.label
        assert value.text in response.content.decode(), value.label


def test_a_value_no_key_opens_raises_naming_the_row_never_its_content(values, caplog):
    for value in values:
        original = value.stored()
        token = foreign_token()
        value.store(token)
        instance = value.model._base_manager.get(pk=value.pk)
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="coproduction.encryption"), pytest.raises(CannotOpen) as raised:
            getattr(instance, value.field)
        assert (raised.value.label, raised.value.field, raised.value.pk) == (value.model._meta.label, value.field, value.pk)
        logged = caplog.text
        assert f"{value.model._meta.label}.{value.field} row {value.pk}" in logged
        for secret in (token, original, value.text, "written elsewhere"):
            assert secret not in logged and secret not in str(raised.value)
        value.store(original)


def test_every_page_says_cannot_be_opened_never_ciphertext(values, client_for):
    for value in values:
        if value.url is None:
            continue  # NOT_ON_A_PAGE: proven where it is used
        original = value.stored()
        token = foreign_token()
        value.store(token)
        response = client_for(value.viewer).get(value.url)
        body = response.content.decode()
        assert response.status_code == 503, value.label
        assert "cannot be opened" in body, value.label
        assert token not in body and "gAAAA" not in body and "Traceback" not in body, value.label
        value.store(original)
        assert client_for(value.viewer).get(value.url).status_code == 200, value.label


def test_with_the_writing_key_missing_from_the_list_nothing_opens(values, field_keys):
    field_keys("some-other-key")
    for value in values:
        instance = value.model._base_manager.get(pk=value.pk)
        with pytest.raises(CannotOpen):
            getattr(instance, value.field)


def test_saving_a_record_that_cannot_be_opened_never_encrypts_its_ciphertext(values):
    value = next(v for v in values if v.label == "wellbeing.Reflection.text")
    token = foreign_token()
    value.store(token)
    reflection = Reflection.objects.get(pk=value.pk)
    with pytest.raises(CannotOpen), transaction.atomic():
        reflection.save()
    with pytest.raises(CannotOpen), transaction.atomic():
        Reflection.objects.filter(pk=value.pk).update(text=Reflection.objects.get(pk=value.pk).__dict__["text"])
    assert value.stored() == token


def test_contact_details_no_key_opens_can_still_be_erased(values):
    participant_value = next(v for v in values if v.label == "coproduction.Participant.contact_email")
    participant_value.store(foreign_token())
    participant = Participant.objects.get(pk=participant_value.pk)
    participant.erase_contact_details()
    assert participant_value.stored() is None
    assert Participant.objects.get(pk=participant.pk).contact_email is None


def test_withdrawal_erases_records_even_when_no_key_opens_them(values, world, field_keys):
    """Erasure must never depend on being able to read what is erased."""
    from coproduction.models import NotesDraft
    from coproduction.participation.actions import withdraw_participant
    from interviews.models import SafeguardingFlag

    draft = NotesDraft.objects.get(pk=next(v.pk for v in values if v.label == "coproduction.NotesDraft.content"))
    interview = draft.interview
    field_keys("some-other-key")
    counts = withdraw_participant(interview.participant, by=world.coordinator)
    assert counts["notes drafts"] == 1
    assert not NotesDraft.objects.filter(pk=draft.pk).exists()
    assert SafeguardingFlag.objects.get(interview=interview).detail is None


def test_values_list_hands_back_a_marker_that_refuses_to_be_text(values):
    value = next(v for v in values if v.label == "coproduction.DenyListTerm.term")
    value.store(foreign_token())
    [marker] = value.model.objects.filter(pk=value.pk).values_list("term", flat=True)
    for use in (str, bool, len, lambda m: f"{m}"):
        with pytest.raises(CannotOpen):
            use(marker)


def test_changing_secret_key_changes_nothing(values, settings, client_for):
    settings.SECRET_KEY = "a-completely-different-secret-key-after-a-leak-0123456789abcdef"
    settings.SECRET_KEY_FALLBACKS = []
    for value in values:
        if value.url is None:
            assert value.text in str(getattr(value.model._base_manager.get(pk=value.pk), value.field))
            continue
        assert value.text in client_for(value.viewer).get(value.url).content.decode(), value.label


def test_rotation_with_two_keys(world, values, field_keys, capsys):
    before = {value.label: value.stored() for value in values}
    new_key, old_key = field_keys("new", "current")
    # Both keys open everything; new writes use the first key.
    for value in values:
        assert value.text in str(getattr(value.model._base_manager.get(pk=value.pk), value.field))
    reflection = Reflection.objects.create(project=world.project, author=world.peer, text="x")
    assert Fernet(new_key).decrypt(read_column(Reflection, "text", reflection.pk).encode()) == b"x"

    call_command("rotate_field_keys")
    assert "value(s) re-encrypted" in capsys.readouterr().out
    for value in values:
        assert value.stored() != before[value.label]
        Fernet(new_key).decrypt(value.stored().encode())  # opens with the new key alone
    field_keys("new")
    for value in values:
        assert value.text in str(getattr(value.model._base_manager.get(pk=value.pk), value.field))


def test_concurrent_form_cleaning_and_reading_decrypt_correctly(values):
    """Many threads clean forms (full_clean on the shared field) while others read tokens
    through the same field instance; every read must give its own plain text."""
    field = Reflection._meta.get_field("text")
    tokens = {f"entry {n}": field_fernet().encrypt(f"entry {n}".encode()).decode() for n in range(200)}
    ReflectionForm = modelform_factory(Reflection, fields=["text"])

    def clean(n: int) -> bool:
        form = ReflectionForm(data={"text": f"typed {n}"})
        return form.is_valid() and form.cleaned_data["text"] == f"typed {n}"

    def read(item: tuple[str, str]) -> bool:
        text, token = item
        return field.from_db_value(token, None, connection) == text

    with ThreadPoolExecutor(max_workers=16) as pool:
        cleaning = [pool.submit(clean, n) for n in range(400)]
        reading = list(pool.map(read, list(tokens.items()) * 2))
    assert all(future.result() for future in cleaning)
    assert all(reading)


def test_the_keys_are_built_once_per_process(field_keys):
    field_keys("one", "two")
    assert field_fernet() is field_fernet()
    field_keys("three")
    assert field_fernet() is field_fernet()


@pytest.mark.parametrize(
    ("keys", "debug", "ids"),
    [
        ([fernet_key("fine")], False, []),
        (["production-field-key-1", fernet_key("fine")], False, ["coproduction.W001"]),
        ([], False, ["coproduction.W002"]),
        ([], True, []),
    ],
)
def test_check_warns_about_malformed_or_missing_keys(settings, keys, debug, ids):
    settings.FIELD_ENCRYPTION_KEYS = keys
    settings.DEBUG = debug
    found = checks.field_encryption_keys()
    assert [message.id for message in found] == ids
    for message in found:
        assert "production-field-key-1" not in message.msg
        assert "entry 1" in message.msg or message.id == "coproduction.W002"


def test_a_malformed_key_refuses_to_encrypt_rather_than_guess(settings, world):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="entry 1 is not a Fernet key"):
        Reflection.objects.create(project=world.project, author=world.peer, text="x")


def test_a_record_that_cannot_be_opened_outside_a_view_gets_the_same_page(rf, world):
    """Django's 500 handler: a CannotOpen raised in a middleware, say, is not a traceback page."""
    from coproduction.views import server_error

    request = rf.get("/")
    request.user = world.peer
    try:
        raise CannotOpen("coproduction.Participant", "contact_email", 1)
    except CannotOpen:
        response = server_error(request)
    assert response.status_code == 503 and "cannot be opened" in response.content.decode()
    try:
        raise RuntimeError("something else")
    except RuntimeError:
        assert server_error(request).status_code == 500
