"""The link between an interview and its notes draft moves to the interview (`Interview.notes`).

The draft models now live in the core (coproduction 0090, same tables, every row); here they
leave this app's state and the interview gains its link; 0051 fills it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0090_notes_gate_moved"),
        ("interviews", "0040_venue_moved_to_coproduction"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PiiResolution"), migrations.DeleteModel(name="NotesDraft")],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="interview",
            name="notes",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="interview",
                to="coproduction.notesdraft",
            ),
        ),
    ]
