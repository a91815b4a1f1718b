"""Every existing project gets the default three-stage distress protocol (new projects get it
when they are created: coproduction.signposting.receivers)."""

from django.db import migrations

# A copy, not an import: a migration keeps what the default was when it was written.
DEFAULT_PROTOCOL = [
    (
        "Stop and check",
        "Stop asking questions. Say what you noticed, gently, and ask how they are. "
        "Give them time and do not hurry to fill the silence.",
    ),
    (
        "Pause or end",
        "Offer a break, to leave the topic, or to end the interview: their choice, no reason needed. "
        "Stop taking notes while you talk about it.",
    ),
    (
        "Signpost and follow up",
        "Offer the pocket card and the services on it. Ask whether they would like a follow-up call, and when suits them.",
    ),
]


def seed_default_protocol(apps, schema_editor):
    Project = apps.get_model("coproduction", "Project")
    ProtocolStep = apps.get_model("coproduction", "ProtocolStep")
    without = Project.objects.exclude(pk__in=ProtocolStep.objects.values("project_id"))
    ProtocolStep.objects.bulk_create(
        ProtocolStep(project_id=project_id, order=order, title=title, guidance=guidance)
        for project_id in without.values_list("pk", flat=True)
        for order, (title, guidance) in enumerate(DEFAULT_PROTOCOL)
    )


class Migration(migrations.Migration):
    dependencies = [("coproduction", "0150_protocol_and_signposting")]

    operations = [migrations.RunPython(seed_default_protocol, migrations.RunPython.noop)]
