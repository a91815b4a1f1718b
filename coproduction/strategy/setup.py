"""A project's strategy and its default list of action statuses, made on first use.

A minimal local helper for the import and export of actions; the actions core has its own
`ensure_strategy(project)`, and the two are to be reconciled into one.
"""

from django.db import transaction

from coproduction.models import ActionStatus, Project, Strategy
from coproduction.models.strategy import DEFAULT_STATUSES


@transaction.atomic
def ensure_strategy(project: Project) -> Strategy:
    """The project's strategy, created (titled after the project) with the default statuses if
    it has none; a project that already has statuses keeps its own list."""
    strategy, _ = Strategy.objects.get_or_create(project=project, defaults={"title": f"{project.name} strategy"})
    if not ActionStatus.objects.filter(project=project).exists():
        ActionStatus.objects.bulk_create(
            ActionStatus(project=project, name=name, stage=stage, default_progress=progress, order=order)
            for order, (name, stage, progress) in enumerate(DEFAULT_STATUSES)
        )
    return strategy
