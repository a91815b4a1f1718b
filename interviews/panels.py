"""Dashboard panels and the digest section that `interviews` registers with coproduction."""

from django.db.models import Q
from django.utils import timezone

from coproduction.models import NotesDraft
from coproduction.prepared import PreparedQuery
from interviews.models import Interview, ProtocolUse, SafeguardingFlag


def peer_panel(request, project) -> dict | None:
    mine = Interview.objects.filter(
        project=project, interviewer=request.user, participant__withdrawn_at__isnull=True
    ).select_related("participant", "venue")
    upcoming = list(mine.filter(status=Interview.Status.SCHEDULED, starts_at__gte=timezone.now()).order_by("starts_at")[:5])
    to_write = list(
        mine.filter(status=Interview.Status.COMPLETED, notes_released_at__isnull=True)
        .filter(Q(notes__isnull=True) | Q(notes__status=NotesDraft.Status.WRITING))
        .order_by("starts_at")[:10]
    )
    sent_back = list(mine.filter(notes__status=NotesDraft.Status.SENT_BACK).order_by("starts_at")[:10])
    if not (upcoming or to_write or sent_back):
        return None
    return {"upcoming": upcoming, "to_write": to_write, "sent_back": sent_back}


_open_flags = PreparedQuery(
    lambda project_id: SafeguardingFlag.objects.filter(interview__project=project_id, resolved_at__isnull=True).select_related(
        "interview__participant"
    )[:10]
)


def coordinator_panel(request, project) -> dict | None:
    # Notes waiting for review are on the core panel (coproduction.notes.panels), with events'.
    flags = _open_flags(project_id=project.pk)
    return {"flags": flags} if flags else None


FOLLOW_UPS_ON_DASHBOARD = 10


def _follow_ups_of(role: str, user_id: int, project_id: int):
    return (
        ProtocolUse.objects.visible_to_role(role, user_id, project_id)
        .follow_ups_to_make()
        .select_related("interview__interviewer")
        .order_by("follow_up_on", "pk")
    )


# Compiled once per role (the role decides the question's shape).
_follow_ups = PreparedQuery(lambda role, **ids: _follow_ups_of(role, **ids)[: FOLLOW_UPS_ON_DASHBOARD + 1])


def follow_up_calls(request, project) -> dict | None:
    """Follow-up calls still to make (overdue first, as they are oldest): every interviewer's
    for coordinators, one's own for a peer researcher. Gone once marked done."""
    role, ids = request.membership.role, {"user_id": request.user.pk, "project_id": project.pk}
    shown = _follow_ups(role, **ids)
    if not shown:
        return None
    more = len(shown) > FOLLOW_UPS_ON_DASHBOARD
    return {
        "calls": shown[:FOLLOW_UPS_ON_DASHBOARD],
        "more": more,
        "total": _follow_ups_of(role, ids["user_id"], ids["project_id"]).count() if more else len(shown),
        "today": timezone.localdate(),
        "show_interviewer": request.membership.role == "coordinator",
    }
