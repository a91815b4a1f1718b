"""Step 2 of 3: give every existing row its own random GUID (uuid4), made once.

Until now exports derived these GUIDs from database ids (uuid5 of "kind:pk"), so two
installations gave different things the same GUID. Rows are filled in batches of 1,000 with one
UPDATE … FROM (VALUES …) each (PostgreSQL, and SQLite 3.33 or later), not a query per row and
not `bulk_update` (one CASE WHEN per row).
"""

import uuid

from django.db import migrations

MODELS = ["Document", "Excerpt", "Coding", "Memo", "User", "Project"]
BATCH = 1000


def fill_random_guids(apps, schema_editor) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for name in MODELS:
        model = apps.get_model("coproduction", name)
        field = model._meta.get_field("guid")
        table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
        row = f"(CAST(%s AS bigint), CAST(%s AS {field.db_type(connection)}))"
        missing = model.objects.filter(guid__isnull=True).order_by("pk").values_list("pk", flat=True)
        while ids := list(missing[:BATCH]):
            params = [value for pk_value in ids for value in (pk_value, field.get_db_prep_value(uuid.uuid4(), connection))]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {column} = v.column2 FROM (VALUES {', '.join([row] * len(ids))}) AS v "  # noqa: S608 — names from the model, values as parameters
                    f"WHERE {table}.{pk} = v.column1",
                    params,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0110_exchange_guids_add"),
    ]

    operations = [migrations.RunPython(fill_random_guids, migrations.RunPython.noop, elidable=False)]
