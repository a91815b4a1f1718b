"""Events own notes through the gate: the link to the event's draft, the Document its notes
became, and when they were released."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0091_notes_drafts_owner_agnostic"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="document",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="event",
                to="coproduction.document",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="notes",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="event",
                to="coproduction.notesdraft",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="notes_released_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
