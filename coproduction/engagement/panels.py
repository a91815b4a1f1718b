"""Dashboard panels for engagement: what is coming up and what is waiting (counts, no content)."""

from datetime import timedelta

from django.utils import timezone

from coproduction.models import Event, IndividualSessionRequest


def coordinator_panel(request, project) -> dict:
    upcoming = Event.objects.upcoming().filter(project=project).select_related("venue").order_by("starts_at")
    held = Event.objects.held().filter(project=project)
    return {
        "upcoming": list(upcoming[:3]),
        "open_requests": IndividualSessionRequest.objects.filter(
            project=project, status=IndividualSessionRequest.Status.OPEN
        ).count(),
        "without_attendance": held.filter(cohort_attendance__isnull=True).count(),
    }


def peer_panel(request, project) -> dict | None:
    mine = Event.objects.visible_to(request.user, project)
    upcoming = list(mine.upcoming().select_related("venue").order_by("starts_at")[:3])
    feedback_due = mine.held().filter(feedback__isnull=True, starts_at__gte=timezone.now() - timedelta(days=30))
    due = feedback_due.count()
    return {"upcoming": upcoming, "feedback_due": due} if upcoming or due else None


def analyst_panel(request, project) -> dict:
    return {}
