"""Interview.venue now points at coproduction.Venue (the same table, interviews_venue).

State only, apart from the content type, which is renamed so that permissions and admin
history rows keep pointing at the venues they were about.
"""

import django.db.models.deletion
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="coproduction", model="venue").exists():
        ContentType.objects.filter(app_label="interviews", model="venue").update(app_label="coproduction")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="interviews", model="venue").exists():
        ContentType.objects.filter(app_label="coproduction", model="venue").update(app_label="interviews")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("coproduction", "0080_venue_shared"),
        ("interviews", "0002_flags_notes_drafts_resolutions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="interview",
                    name="venue",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="interviews", to="coproduction.venue"
                    ),
                ),
                migrations.DeleteModel(name="Venue"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
