"""Hooks the analysis area into navigation, the demo and Celery (called from AppConfig.ready)."""

from coproduction.prepared import PreparedQuery


def register() -> None:
    from django.db.models.signals import post_delete, post_save, pre_delete

    from coproduction import dashboard, demo, navigation
    from coproduction.analysis import counts, demo_data, tasks  # noqa: F401 — registers the Celery tasks
    from coproduction.models import Document, Participant

    post_delete.connect(tasks.document_removed, sender=Document, dispatch_uid="analysis-document-removed")
    # A Document leaving the corpus (withdrawal, a consent without "notes kept") takes its
    # codings out of the counts, in the same transaction (counts.py lists every other caller).
    pre_delete.connect(counts.note_themes_of_leaving_document, sender=Document, dispatch_uid="analysis-counts-before")
    post_delete.connect(counts.recount_after_document_left, sender=Document, dispatch_uid="analysis-counts-after")
    post_save.connect(counts.recount_after_withdrawal, sender=Participant, dispatch_uid="analysis-counts-withdrawal")

    navigation.register("Themes", "analysis:themes", roles={"coordinator", "analyst", "peer_researcher"}, order=40)
    navigation.register("Coding", "analysis:documents", roles={"coordinator", "analyst", "peer_researcher"}, order=41)
    navigation.register("Theme × cohort", "analysis:matrix", roles={"coordinator", "analyst"}, order=42)
    navigation.register("Exports", "analysis:export", roles={"coordinator", "analyst"}, order=43)
    dashboard.register_panel(
        "analysis/includes/_panel_proposals.html", context=proposals_waiting, roles={"coordinator", "analyst"}, order=40
    )
    # After the steps that release Documents (if any), so their Documents are coded too.
    demo.register_step(200, demo_data.seed_codebook)


def _proposed_themes(project_id: int):
    from coproduction.models import Theme

    return Theme.objects.filter(project=project_id, status=Theme.Status.PROPOSED)


_proposals = PreparedQuery(_proposed_themes)


def proposals_waiting(request, project) -> dict | None:
    count = _proposals.count(project_id=project.pk)
    return {"count": count} if count else None
