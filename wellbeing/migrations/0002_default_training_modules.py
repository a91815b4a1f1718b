from django.db import migrations

MODULES = [
    ("Safeguarding", "Recognising and reporting risk to participants and to yourself."),
    ("Interviewing skills", "Trauma-informed, non-judgemental interviewing."),
    ("Data protection", "Pseudonyms, what never goes in notes, UK GDPR special category data."),
    ("Distress protocol", "What to do when an interview becomes distressing."),
]


def add_modules(apps, schema_editor):
    TrainingModule = apps.get_model("wellbeing", "TrainingModule")
    for name, description in MODULES:
        TrainingModule.objects.get_or_create(name=name, defaults={"description": description})


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0001_support")]

    operations = [migrations.RunPython(add_modules, migrations.RunPython.noop)]
