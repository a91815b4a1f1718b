"""Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it), restart,
run this command, then remove the old key. Rows are rewritten with queryset updates, so
models that refuse edits through save() are not touched by their save() rules and no
timestamps move. Safe to run twice; stops cleanly between batches on SIGTERM.
"""

import signal

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from encrypted_fields.fields import EncryptedFieldMixin

BATCH = 500


def encrypted_fields_by_model() -> dict:
    found = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
        if names:
            found[model] = names
    return found


def forget_derived_keys() -> None:
    """Fields cache their derived keys; after a settings change they must derive them again."""
    for model, names in encrypted_fields_by_model().items():
        for name in names:
            field = model._meta.get_field(name)
            field.__dict__.pop("keys", None)
            field.__dict__.pop("f", None)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self.stop)
        forget_derived_keys()
        total = 0
        for model, names in encrypted_fields_by_model().items():
            rewritten = self.rotate(model, names)
            total += rewritten
            self.stdout.write(f"{model._meta.label}: {rewritten} rows re-encrypted")
            if self.stopping:
                self.stdout.write("Stopped before finishing; run the command again to continue.")
                return
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted."))

    def stop(self, signum, frame) -> None:
        self.stopping = True

    def rotate(self, model, names: list[str]) -> int:
        """Read the stored ciphertext itself (the field quietly hands back undecryptable values
        as they are, which re-saved would be encrypted twice), decrypt with any known key and
        write it back, which encrypts with the first key. A value no key opens stops the run
        with its row id and nothing of that batch written."""
        manager = model._base_manager
        fields = [model._meta.get_field(name) for name in names]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        rewritten = 0
        for start in range(0, len(pks), BATCH):
            if self.stopping:
                break
            batch = pks[start : start + BATCH]
            placeholders = ", ".join(["%s"] * len(batch))
            with transaction.atomic(), connection.cursor() as cursor:
                # Identifiers come from the model and are quoted by the backend; values are parameters.
                select = f"SELECT {pk_column}, {columns} FROM {table} WHERE {pk_column} IN ({placeholders})"  # noqa: S608
                cursor.execute(select, batch)
                for pk, *stored in cursor.fetchall():
                    plain = {}
                    for field, value in zip(fields, stored, strict=True):
                        if not value:
                            continue
                        try:
                            plain[field.name] = field.to_python(field.f.decrypt(value.encode()).decode())
                        except InvalidToken:
                            raise CommandError(
                                f"{model._meta.label} {pk}: {field.name} opens with none of FIELD_ENCRYPTION_KEYS."
                            ) from None
                    if plain:
                        manager.filter(pk=pk).update(**plain)
                        rewritten += 1
        return rewritten
