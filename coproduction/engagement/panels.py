"""Dashboard panels for engagement: what is coming up and what is waiting (counts, no content)."""

from datetime import timedelta

from django.utils import timezone

from coproduction.models import Event, IndividualSessionRequest
from coproduction.prepared import PreparedQuery

# The coordinator's dashboard asks these on every visit: compiled once (coproduction.prepared).
_upcoming = PreparedQuery(
    lambda project_id, now: (
        Event.objects.upcoming(now).filter(project=project_id).select_related("venue").order_by("starts_at")[:3]
    )
)
_open_requests = PreparedQuery(
    lambda project_id: IndividualSessionRequest.objects.filter(project=project_id, status=IndividualSessionRequest.Status.OPEN)
)
_without_attendance = PreparedQuery(
    lambda project_id: Event.objects.held().filter(project=project_id, cohort_attendance__isnull=True)
)


def coordinator_panel(request, project) -> dict:
    return {
        "upcoming": _upcoming(project_id=project.pk, now=timezone.now()),
        "open_requests": _open_requests.count(project_id=project.pk),
        "without_attendance": _without_attendance.count(project_id=project.pk),
    }


def peer_panel(request, project) -> dict | None:
    mine = Event.objects.visible_to(request.user, project)
    upcoming = list(mine.upcoming().select_related("venue").order_by("starts_at")[:3])
    feedback_due = mine.held().filter(feedback__isnull=True, starts_at__gte=timezone.now() - timedelta(days=30))
    due = feedback_due.count()
    return {"upcoming": upcoming, "feedback_due": due} if upcoming or due else None


def analyst_panel(request, project) -> dict:
    return {}
