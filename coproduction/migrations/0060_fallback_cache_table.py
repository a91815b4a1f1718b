from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0070_allow_list"),
    ]

    operations = [
        migrations.CreateModel(
            name="FallbackCacheEntry",
            fields=[
                ("cache_key", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("value", models.TextField()),
                ("expires", models.DateTimeField(db_index=True)),
            ],
            options={"db_table": "cache_fallback"},
        ),
    ]
