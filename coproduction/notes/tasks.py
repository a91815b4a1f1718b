"""Periodic work of the anonymisation gate; a thin wrapper over a plain function. No
arguments, no personal data. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from coproduction.notes import actions as gate


@shared_task(name="notes.purge_released_drafts", ignore_result=True)
def purge_released_drafts_task() -> int:
    """Delete released notes drafts (of interviews and events) kept longer than
    DRAFT_RETENTION_DAYS (idempotent; the same function `manage.py purge_released_drafts` runs).
    Returns how many were deleted."""
    return gate.purge_released_drafts()
