"""The coordinators' dashboard panel for the outbox (registered from CoproductionConfig.ready)."""

from coproduction.models import Notification


def undelivered_messages(request, project) -> dict | None:
    """Coordinators: how many reminders or alerts could not be delivered (no content)."""
    count = Notification.objects.undelivered_for(project).count()
    return {"count": count} if count else None
