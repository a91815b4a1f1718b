"""Venues move from interviews to the core so that events can use them too.

State only: the table stays `interviews_venue` with every row; interviews 0040 drops its own
model from the state and points Interview.venue here.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0040_field_keys_independent_of_secret_key"),
        ("interviews", "0002_flags_notes_drafts_resolutions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Venue",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100)),
                        ("is_remote", models.BooleanField(default=False)),
                        ("active", models.BooleanField(default=True)),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="venues",
                                to="coproduction.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "interviews_venue",
                        "ordering": ["name"],
                        "constraints": [models.UniqueConstraint(fields=("project", "name"), name="venue_name_per_project")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
