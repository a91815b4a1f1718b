"""Step 1 of 3: add a nullable, not yet unique `guid` to the rows REFI-QDA exports name
(documents, excerpts, codings, memos, users, projects). Django's pattern for "Migrations that
add unique fields": a callable default would give every existing row the same value."""

from django.db import migrations, models

MODELS = ["document", "excerpt", "coding", "memo", "user", "project"]


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0102_follow_up_contacts"),
    ]

    operations = [
        migrations.AddField(model_name=name, name="guid", field=models.UUIDField(null=True, editable=False)) for name in MODELS
    ]
