"""Each interview is pointed at its draft and each draft given its interview's project.
Backwards, the draft's own column gets the link back. (Its own migration: PostgreSQL refuses
to alter a table in the transaction that updated rows with deferred constraint checks.)"""

from django.db import migrations


def carry_links(apps, schema_editor):
    Interview = apps.get_model("interviews", "Interview")
    NotesDraft = apps.get_model("coproduction", "NotesDraft")
    for draft_pk, interview_pk in NotesDraft.objects.values_list("pk", "old_interview_id").iterator():
        Interview.objects.filter(pk=interview_pk).update(notes_id=draft_pk)
        project_pk = Interview.objects.filter(pk=interview_pk).values_list("project_id", flat=True).get()
        NotesDraft.objects.filter(pk=draft_pk).update(project_id=project_pk)


def carry_links_back(apps, schema_editor):
    Interview = apps.get_model("interviews", "Interview")
    NotesDraft = apps.get_model("coproduction", "NotesDraft")
    for interview_pk, draft_pk in Interview.objects.filter(notes__isnull=False).values_list("pk", "notes_id").iterator():
        NotesDraft.objects.filter(pk=draft_pk).update(old_interview_id=interview_pk)


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0090_notes_gate_moved"),
        ("interviews", "0050_notes_link_on_interview"),
    ]

    operations = [migrations.RunPython(carry_links, carry_links_back)]
