"""Periodic work of engagement; thin wrappers over plain functions in actions. No arguments, no
personal data. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from coproduction.engagement import actions


@shared_task(name="engagement.erase_closed_session_requests", ignore_result=True)
def erase_closed_session_requests() -> int:
    return actions.erase_closed_session_requests()
