"""Periodic work of the interviews app; thin wrappers over plain functions in actions.

The tasks take no arguments and carry no personal data. Scheduled in
settings.CELERY_BEAT_SCHEDULE.
"""

from celery import shared_task

from interviews import actions


@shared_task(name="interviews.erase_spent_contact_details", ignore_result=True)
def erase_spent_contact_details() -> int:
    return actions.erase_spent_contact_details()
