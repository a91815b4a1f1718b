"""Drafts no longer point at an interview (the interview points at its draft, interviews 0050-0051);
every draft now has its project."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0090_notes_gate_moved"),
        ("interviews", "0051_carry_notes_links"),
    ]

    operations = [
        migrations.RemoveField(model_name="notesdraft", name="old_interview"),
        migrations.AlterField(
            model_name="notesdraft",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="notes_drafts", to="coproduction.project"
            ),
        ),
    ]
