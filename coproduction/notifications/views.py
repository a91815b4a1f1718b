from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coproduction.access import project_view
from coproduction.models import Notification, Role


@project_view({Role.COORDINATOR})
@require_GET
def failed_notifications(request, project):
    """Messages that could not be delivered: status, time, channel, template, recipient. No content."""
    rows = (
        Notification.objects.undelivered_for(project)
        .select_related("recipient", "recipient_participant")
        .only(
            "status",
            "channel",
            "template",
            "due_at",
            "failed_at",
            "attempts",
            "recipient__display_name",
            "recipient__email",
            "recipient_participant__code",
        )
        .order_by("-failed_at", "-pk")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/failed.html", {"project": project, "page": page})
