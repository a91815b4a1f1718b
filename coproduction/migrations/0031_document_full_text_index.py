"""A GIN index for full-text search of the corpus on PostgreSQL (nothing on SQLite).

The index is built from the very expression the search uses (coproduction.analysis.search), so
the planner can use it. It is created with RunPython rather than Meta.indexes because Document
belongs to the core corpus model and SQLite has no such index type.
"""

from django.db import migrations

INDEX_NAME = "document_fulltext_english"


def index(apps):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    # The same expression as coproduction.analysis.search.document_vector(); a test checks
    # that PostgreSQL's planner uses this index for a search.
    return GinIndex(SearchVector("title", "text", config="english"), name=INDEX_NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Document = apps.get_model("coproduction", "Document")
    schema_editor.add_index(Document, index(apps))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Document = apps.get_model("coproduction", "Document")
    schema_editor.remove_index(Document, index(apps))


class Migration(migrations.Migration):
    dependencies = [("coproduction", "0030_codebook_and_coding")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
