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
        .select_related("recipient", "recipient_participant", "recipient_follow_up__participant")
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
            "recipient_follow_up__source",
            "recipient_follow_up__participant__code",
            "about_type",
            "about_id",
        )
        .order_by("-failed_at", "-pk")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    # An invitation's email has no recipient account yet: show the invited address, which
    # coordinators see on the Members page anyway (the message itself is never kept).
    about_invitations = [row.about_id for row in page if row.about_type == "coproduction.invitation"]
    invited = dict(project.invitations.filter(pk__in=about_invitations).values_list("pk", "email"))
    for row in page:
        row.invited_email = invited.get(int(row.about_id)) if row.about_type == "coproduction.invitation" else None
    return render(request, "notifications/failed.html", {"project": project, "page": page})
