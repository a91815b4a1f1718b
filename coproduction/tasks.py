"""Periodic clean-up of the core that is not the notification outbox. Tasks take no arguments
and carry no personal data; scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


def clear_expired_sessions() -> int:
    """Delete expired sign-in sessions (what `manage.py clearsessions` does, on beat). A session
    holds who is signed in and flash messages naming participant codes; an expired one serves
    nobody. Returns how many were deleted."""
    count, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return count


@shared_task(name="coproduction.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions_task() -> int:
    return clear_expired_sessions()
