"""Background work of the interviews app.

Task bodies are the plain functions in interviews.actions; the tasks take no arguments and
carry no personal data. Scheduled in settings.CELERY_BEAT_SCHEDULE.
"""

from celery import shared_task

from interviews.actions import purge_released_drafts


@shared_task(name="interviews.purge_released_drafts", ignore_result=True)
def purge_released_drafts_task() -> int:
    """Delete released notes drafts kept longer than DRAFT_RETENTION_DAYS (idempotent; the
    same function `manage.py purge_released_drafts` runs). Returns how many were deleted."""
    return purge_released_drafts()
