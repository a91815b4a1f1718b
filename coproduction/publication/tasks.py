"""Periodic work of publication; thin wrappers over plain functions. No arguments, no personal
data. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from coproduction.publication import follow_up


@shared_task(name="publication.erase_follow_up_contacts", ignore_result=True)
def erase_follow_up_contacts() -> int:
    return follow_up.erase_ended_follow_up_contacts()
