"""Notes drafts and their resolution logs move from interviews to the core gate.

State first: the tables stay `interviews_notesdraft` and `interviews_piiresolution` with every
row. The draft's old link to its interview is kept for now as `old_interview` (the same
column; nullable in the state only, so the step can be reversed) so that interviews 0051 can
carry it over to `Interview.notes`; 0091 then drops it. Each draft gains its project and its
owner's kind; every existing draft belongs to an interview.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import coproduction.fields


def rename_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("notesdraft", "piiresolution"):
        if not ContentType.objects.filter(app_label="coproduction", model=model).exists():
            ContentType.objects.filter(app_label="interviews", model=model).update(app_label="coproduction")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("notesdraft", "piiresolution"):
        if not ContentType.objects.filter(app_label="interviews", model=model).exists():
            ContentType.objects.filter(app_label="coproduction", model=model).update(app_label="interviews")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("coproduction", "0081_engagement_events"),
        ("interviews", "0040_venue_moved_to_coproduction"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NotesDraft",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("content", coproduction.fields.EncryptedTextField(default="{}")),
                        ("version", models.PositiveIntegerField(default=1)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("writing", "Being written"),
                                    ("submitted", "Waiting for review"),
                                    ("sent_back", "Sent back"),
                                    ("released", "Released"),
                                ],
                                default="writing",
                                max_length=12,
                            ),
                        ),
                        ("review_comment", coproduction.fields.EncryptedTextField(blank=True, default="", null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("saved_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("submitted_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_back_at", models.DateTimeField(blank=True, null=True)),
                        ("released_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                            ),
                        ),
                        (
                            "old_interview",
                            models.OneToOneField(
                                db_column="interview_id",
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="interviews.interview",
                            ),
                        ),
                    ],
                    options={"db_table": "interviews_notesdraft", "ordering": ["-saved_at"]},
                ),
                migrations.CreateModel(
                    name="PiiResolution",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("section", models.CharField(max_length=20)),
                        ("finding_type", models.CharField(max_length=20)),
                        ("text_hash", models.CharField(blank=True, max_length=64)),
                        (
                            "action",
                            models.CharField(choices=[("redacted", "Redacted"), ("dismissed", "Dismissed")], max_length=10),
                        ),
                        ("reason", coproduction.fields.EncryptedTextField(blank=True, default="", null=True)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                            ),
                        ),
                        (
                            "draft",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="resolutions",
                                to="coproduction.notesdraft",
                            ),
                        ),
                    ],
                    options={"db_table": "interviews_piiresolution", "ordering": ["at", "pk"]},
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="notesdraft",
            name="project",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="notes_drafts", to="coproduction.project"
            ),
        ),
        migrations.AddField(
            model_name="notesdraft",
            name="owner_kind",
            field=models.CharField(default="interview", max_length=20),
            preserve_default=False,
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
