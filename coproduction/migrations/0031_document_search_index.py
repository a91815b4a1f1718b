"""Stored full-text vectors of Documents, with a GIN index (PostgreSQL) and a backfill.

The GIN index and the backfill run on PostgreSQL only: SQLite searches with a plain match.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

INDEX = "document_search_vector_gin"


def index_and_backfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX {INDEX} ON coproduction_documentsearchindex USING gin (vector)")
    schema_editor.execute(
        "INSERT INTO coproduction_documentsearchindex (document_id, vector) "
        "SELECT id, to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(text, '')) "
        "FROM coproduction_document"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0030_codebook_and_coding"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentSearchIndex",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_index",
                        serialize=False,
                        to="coproduction.document",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
        ),
        migrations.RunPython(index_and_backfill, drop_index),
    ]
