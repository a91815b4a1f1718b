"""Step 3 of 3: every row has its GUID; make it unique and required, with uuid4 for new rows."""

import uuid

from django.db import migrations, models

MODELS = ["document", "excerpt", "coding", "memo", "user", "project"]


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0111_exchange_guids_fill"),
    ]

    operations = [
        migrations.AlterField(
            model_name=name, name="guid", field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        )
        for name in MODELS
    ]
