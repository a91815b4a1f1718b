"""Celery tasks of the notification outbox (thin wrappers around coproduction.delivery) and
the sweeper of expired sign-in sessions.

They take ids only (never personal data) and return whether they did work.
"""

from celery import shared_task

from coproduction import delivery


@shared_task(name="coproduction.tasks.claim_due_notifications", ignore_result=True)
def claim_due_notifications() -> bool:
    return bool(delivery.claim_all_due())


@shared_task(name="coproduction.tasks.deliver_notification", ignore_result=True)
def deliver_notification_task(notification_id: int) -> bool:
    return delivery.deliver_notification(int(notification_id))


@shared_task(name="coproduction.tasks.queue_daily_digests", ignore_result=True)
def queue_daily_digests() -> bool:
    return bool(delivery.queue_daily_digests())


def clear_expired_sessions() -> int:
    """Delete expired sign-in sessions (`manage.py clearsessions`, on beat). A session holds who
    is signed in and flash messages naming participant codes; an expired one serves nobody.
    Returns how many were deleted."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    count, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return count


@shared_task(name="coproduction.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions_task() -> int:
    return clear_expired_sessions()
