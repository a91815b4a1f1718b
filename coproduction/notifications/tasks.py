"""Celery tasks of the notification outbox: thin wrappers around coproduction.notifications.delivery.

They take ids only (never personal data) and return whether they did work. Their names are
those they had before the outbox became a package: messages already queued and the beat
schedule stored in the database (django_celery_beat) refer to tasks by name.
"""

from celery import shared_task

from coproduction.notifications import delivery


@shared_task(name="coproduction.tasks.claim_due_notifications", ignore_result=True)
def claim_due_notifications() -> bool:
    return bool(delivery.claim_all_due())


@shared_task(name="coproduction.tasks.deliver_notification", ignore_result=True)
def deliver_notification_task(notification_id: int) -> bool:
    return delivery.deliver_notification(int(notification_id))


@shared_task(name="coproduction.tasks.queue_daily_digests", ignore_result=True)
def queue_daily_digests() -> bool:
    return bool(delivery.queue_daily_digests())
