"""Dashboard panels and the digest section the app registers in ready()."""

from django.utils import timezone

from coproduction.models import Role
from coproduction.notifications.digest import DigestLine
from coproduction.prepared import PreparedQuery
from wellbeing.actions import missing_training
from wellbeing.models import CheckIn, SessionRequest, SupportSession, cadence_for

_open_alerts = PreparedQuery(
    lambda project_id: (
        CheckIn.objects.filter(project=project_id).open_alerts().select_related("person").order_by("alert_raised_at")[:20]
    )
)
_open_requests = PreparedQuery(
    lambda project_id: SessionRequest.objects.filter(project=project_id).open().select_related("requested_by")[:20]
)


def open_alerts(request, project) -> dict | None:
    alerts = _open_alerts(project_id=project.pk)
    return {"alerts": alerts, "from_dashboard": True} if alerts else None


def due_catch_ups(request, project) -> dict | None:
    due = [c for c in cadence_for(project) if c.status != "ok"]
    return {"cadence": due} if due else None


def open_requests(request, project) -> dict | None:
    requests = _open_requests(project_id=project.pk)
    return {"requests": requests} if requests else None


def my_check_ins(request, project) -> dict:
    check_ins = list(CheckIn.objects.filter(project=project, person=request.user).to_do().select_related("interview")[:10])
    return {"check_ins": check_ins}  # shown even when empty: "None right now."


def my_sessions(request, project) -> dict | None:
    sessions = list(
        SupportSession.objects.visible_to(request.user, project)
        .booked()
        .filter(ends_at__gte=timezone.now())
        .select_related("provider")
        .order_by("starts_at")[:5]
    )
    return {"sessions": sessions, "is_peer": request.membership.role == Role.PEER_RESEARCHER}


def sessions_to_write_up(request, project) -> dict | None:
    """A supervisor's past sessions still waiting for attendance, or (supervision they attended)
    for notes. Nothing of the notes themselves."""
    Status = SupportSession.Status
    past = (
        SupportSession.objects.visible_to(request.user, project)
        .filter(starts_at__lte=timezone.now())
        .exclude(status__in=[Status.CANCELLED, Status.DID_NOT_ATTEND])
    )
    waiting = past.filter(status=Status.BOOKED) | past.filter(
        status=Status.ATTENDED, kind__in=SupportSession.SUPERVISION_KINDS, supervision_note__isnull=True
    )
    sessions = list(waiting.order_by("starts_at")[:20])
    return {"sessions": sessions} if sessions else None


def training_needed(request, project) -> dict | None:
    """A peer researcher's required training still to do: interviews cannot be booked until then."""
    missing = missing_training(request.user, project)
    return {"modules": missing} if missing else None


def digest_lines(project) -> list[DigestLine]:
    """Neutral labels only: this may be read in an email client on a shared screen."""
    alerts = CheckIn.objects.filter(project=project).open_alerts().count()
    due = sum(1 for c in cadence_for(project) if c.status != "ok" and c.next_booking is None)
    requests = SessionRequest.objects.filter(project=project).open().count()
    return [
        DigestLine("Items needing your attention", alerts),
        DigestLine("People due a catch-up", due),
        DigestLine("Appointment requests to arrange", requests),
    ]
