"""The coordinators' dashboard panel for the outbox (registered from CoproductionConfig.ready)."""

from coproduction.models import Notification
from coproduction.prepared import PreparedQuery

_undelivered = PreparedQuery(lambda project_id: Notification.objects.undelivered_for(project_id))


def undelivered_messages(request, project) -> dict | None:
    """Coordinators: how many reminders or alerts could not be delivered (no content)."""
    count = _undelivered.count(project_id=project.pk)
    return {"count": count} if count else None
