"""Migration 0040: values written by django-fernet-encrypted-fields 0.4.0 move to real Fernet keys.

The database is filled with old-scheme ciphertext made by `coproduction.legacy_encryption` (the
library itself is gone), written with SQL so the new field cannot encrypt it again. The known
answers below were written by the library itself, so the re-implementation is checked too.
"""

import importlib
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from coproduction import legacy_encryption, reencryption
from coproduction.encryption import CannotOpen, encrypted_fields
from tests.encrypted_records import every_encrypted_value

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("coproduction.migrations.0040_field_keys_independent_of_secret_key")
OLD_SECRET = "old-secret-key-for-the-known-answer-test"
OLD_SALTS = ["old-salt-1", "old-salt-0"]
# Written by django-fernet-encrypted-fields 0.4.0 with SECRET_KEY=OLD_SECRET: the first with
# SALT_KEY=OLD_SALTS, the second with SALT_KEY=["old-salt-0"] only.
KNOWN_ANSWERS = {
    (
        "gAAAAABrDzqNWhb1ZCxGHWLOvjFy6hXURvLSDQ8OAIkyf4ZMo13qDkqg-JcMzm4jgJR2N9fUFxNZRIWXZKb8_-9xrj2hTQNZ0zok8mf5-4URxylTOPlYr7Q="
    ): "Lamps out by the canal.",
    (
        "gAAAAABrDzqN14IXotbfunbkuTYCn3nXav0yM_PgCm23cEQ4pHshoSA6rVbuaAEEb5tscU93-cdPzdk48lsIScbQWNq8b0UOJMQ4h4FxgfGQkrx340uWiAm"
        "Hp_VN0T1P7wQRPGcAYKl2"
    ): "Written before the salts were rotated.",
}


def historical_apps():
    """The models as migration 0040 sees them."""
    loader = MigrationLoader(connection)
    return loader.project_state(("coproduction", MIGRATION.__name__.rsplit(".", 1)[1])).apps


def migrate_forwards():
    MIGRATION.to_fernet_keys(historical_apps(), SimpleNamespace(connection=connection))


def migrate_backwards():
    MIGRATION.to_legacy_scheme(historical_apps(), SimpleNamespace(connection=connection))


@pytest.fixture
def old_scheme(settings):
    settings.SECRET_KEY = OLD_SECRET
    settings.SECRET_KEY_FALLBACKS = []
    settings.LEGACY_FIELD_ENCRYPTION_KEYS = OLD_SALTS
    return legacy_encryption.legacy_fernet([OLD_SECRET], OLD_SALTS)


@pytest.fixture
def old_database(world, field_keys, old_scheme):
    """Every encrypted field holding a value the old library would have written. Fields added
    after migration 0040 (it does not know them) never held a value of the old scheme."""
    new_key = field_keys("the new key")[0]
    # By table and column: a model that moved app since (the notes drafts) keeps its table.
    known = {(field.model._meta.db_table, field.column) for field in encrypted_fields(historical_apps())}
    values = [value for value in every_encrypted_value(world) if (value.model._meta.db_table, value.column) in known]
    for value in values:
        plain = field_text(value)
        value.store(legacy_encryption.encrypt(plain, old_scheme))
    return SimpleNamespace(values=values, new_key=new_key, fernet=old_scheme)


def opens_with(key: str, token: str | None) -> bool:
    try:
        Fernet(key).decrypt((token or "").encode())
    except InvalidToken:
        return False
    return True


def field_text(value) -> str:
    """What the field itself holds (a draft's content is its sections as JSON)."""
    return str(getattr(value.model._base_manager.get(pk=value.pk), value.field))


def test_the_re_implementation_opens_what_the_library_wrote(old_scheme):
    for token, text in KNOWN_ANSWERS.items():
        assert legacy_encryption.decrypt(token, old_scheme) == text
    # The library derived one key per secret and salt: a fallback secret opens its values too.
    fallback_first = legacy_encryption.legacy_fernet(["a newer secret", OLD_SECRET], ["old-salt-0"])
    assert legacy_encryption.decrypt(next(iter(reversed(KNOWN_ANSWERS))), fallback_first)


def test_migration_re_encrypts_every_value_and_reports_counts(old_database, capsys):
    with pytest.raises(CannotOpen):
        field_text(old_database.values[0])  # before: the new field cannot open old ciphertext
    migrate_forwards()
    out = capsys.readouterr().out
    assert f"{len(old_database.values)} value(s) re-encrypted." in out
    assert "coproduction.Participant.contact_email: 1 re-encrypted" in out
    for value in old_database.values:
        Fernet(old_database.new_key).decrypt(value.stored().encode())  # the new key alone opens it
        assert value.text in field_text(value), value.label


def test_migration_is_idempotent(old_database, capsys):
    migrate_forwards()
    after_first = {value.label: value.stored() for value in old_database.values}
    capsys.readouterr()
    migrate_forwards()
    assert "0 value(s) re-encrypted." in capsys.readouterr().out
    assert {value.label: value.stored() for value in old_database.values} == after_first


def test_an_interrupted_migration_carries_on_where_it_stopped(old_database, monkeypatch):
    monkeypatch.setattr(reencryption, "BATCH", 1)

    def some_moved() -> bool:
        """Stop (as SIGTERM would) at the first batch boundary after a value moved."""
        return any(opens_with(old_database.new_key, value.stored()) for value in old_database.values)

    report = reencryption.rewrite_stored_values(
        reencryption.moving(reencryption.legacy_scheme(), reencryption.current_scheme()),
        app_registry=historical_apps(),
        should_stop=some_moved,
    )
    assert report.stopped and 0 < report.total_rewritten < len(old_database.values)
    migrate_forwards()
    for value in old_database.values:
        assert value.text in field_text(value), value.label


def test_migration_refuses_when_a_value_opens_under_neither_scheme(old_database):
    stray = old_database.values[3]
    stray.store(Fernet(Fernet.generate_key()).encrypt(b"nobody knows").decode())
    before = {value.label: value.stored() for value in old_database.values}
    with pytest.raises(reencryption.Unreadable, match=f"{stray.model._meta.label}.{stray.field} row {stray.pk}"):
        migrate_forwards()
    assert {value.label: value.stored() for value in old_database.values} == before


def test_migration_refuses_without_the_old_keys(old_database, settings):
    settings.LEGACY_FIELD_ENCRYPTION_KEYS = []
    before = {value.label: value.stored() for value in old_database.values}
    with pytest.raises(reencryption.Unreadable, match=f"{len(old_database.values)} stored value"):
        migrate_forwards()
    assert {value.label: value.stored() for value in old_database.values} == before


def test_migration_reverses_to_the_old_scheme(old_database):
    migrate_forwards()
    migrate_backwards()
    for value in old_database.values:
        assert legacy_encryption.decrypt(value.stored(), old_database.fernet)
    migrate_forwards()
    for value in old_database.values:
        assert value.text in field_text(value), value.label


def test_a_fresh_database_migrates_without_any_old_keys(db, settings, capsys):
    settings.LEGACY_FIELD_ENCRYPTION_KEYS = []
    migrate_forwards()
    assert capsys.readouterr().out == ""
