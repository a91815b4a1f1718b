"""Periodic work of the interviews app; thin wrappers over plain functions in actions.

The tasks take no arguments and carry no personal data. Scheduled in
settings.CELERY_BEAT_SCHEDULE.
"""

from celery import shared_task

from coproduction.notes import actions as gate
from interviews import actions


@shared_task(name="interviews.erase_spent_contact_details", ignore_result=True)
def erase_spent_contact_details() -> int:
    return actions.erase_spent_contact_details()


@shared_task(name="interviews.purge_released_drafts", ignore_result=True)
def purge_released_drafts_task() -> int:
    """Delete released notes drafts kept longer than DRAFT_RETENTION_DAYS (idempotent; the
    same function `manage.py purge_released_drafts` runs). Returns how many were deleted."""
    return gate.purge_released_drafts()
