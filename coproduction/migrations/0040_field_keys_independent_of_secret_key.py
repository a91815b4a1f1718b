"""Re-encrypt every encrypted value from the old library's scheme to real Fernet keys.

Before: keys derived from SECRET_KEY, salted by each entry of FIELD_ENCRYPTION_KEYS
(`coproduction.legacy_encryption`). After: FIELD_ENCRYPTION_KEYS are the keys themselves. Run
it with LEGACY_FIELD_ENCRYPTION_KEYS set to the old FIELD_ENCRYPTION_KEYS, SECRET_KEY unchanged,
and FIELD_ENCRYPTION_KEYS holding the new key(s). It checks every value first and refuses,
writing nothing, if any opens under neither scheme; values already under the new keys are left
alone, so it is safe to run again after an interruption (batches commit one by one, so the
migration is not atomic). Reversing it re-encrypts with the old scheme.
"""

from django.db import migrations

from coproduction import reencryption


def move(source, target):
    def run(apps, schema_editor):
        reencryption.move_between_schemes(
            source(),
            target(),
            app_registry=apps,
            connection=schema_editor.connection,
            say=lambda line: print(f"\n  {line}", end=""),
        )

    return run


to_fernet_keys = move(reencryption.legacy_scheme, reencryption.current_scheme)
to_legacy_scheme = move(reencryption.current_scheme, reencryption.legacy_scheme)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("coproduction", "0063_export_job_queue_state"),
        ("interviews", "0002_flags_notes_drafts_resolutions"),
        ("wellbeing", "0002_default_training_modules"),
    ]

    operations = [migrations.RunPython(to_fernet_keys, to_legacy_scheme, elidable=False)]
