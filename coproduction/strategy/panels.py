"""Dashboard panels and the digest section of the action plan (registered from
`coproduction.strategy.registry`)."""

from coproduction.models import Action, ActionStatus, Strategy
from coproduction.notifications.digest import DigestLine
from coproduction.prepared import PreparedQuery
from coproduction.strategy.plan import needing_update

SHOWN = 5


_cadence = PreparedQuery(
    lambda project_id: Strategy.objects.filter(project=project_id).values_list("update_after_days", flat=True).order_by("pk")[:1]
)


def _update_after_days(project) -> int | None:
    """The strategy's cadence, or None while the project has no strategy (nothing to show)."""
    days = _cadence(project_id=project.pk)
    return days[0] if days else None


def coordinator_panel(request, project) -> dict | None:
    days = _update_after_days(project)
    if days is None:
        return None
    stale = needing_update(project, days).order_by("due_on", "news_at")
    proposals = Action.objects.current().filter(project=project, status__stage=ActionStatus.Stage.PROPOSED).order_by("created_at")
    stale_count, proposal_count = stale.count(), proposals.count()
    return {
        "needing_update": list(stale[:SHOWN]),
        "needing_update_count": stale_count,
        "proposals": list(proposals[:SHOWN]),
        "proposal_count": proposal_count,
    }


def peer_panel(request, project) -> dict | None:
    mine = Action.objects.current().filter(project=project).select_related("status")
    proposed = list(mine.filter(proposed_by=request.user).order_by("-created_at")[:SHOWN])
    leading = list(
        mine.filter(lead=request.user).exclude(status__stage__in=[ActionStatus.Stage.DONE, ActionStatus.Stage.NOT_TAKEN_FORWARD])[
            :SHOWN
        ]
    )
    if not (proposed or leading):
        return None
    return {"proposed": proposed, "leading": leading}


def digest_section(project) -> list[DigestLine]:
    # Neutral wording: the digest may be read on a shared screen.
    days = _update_after_days(project)
    if days is None:
        return []
    return [DigestLine("Actions needing an update", needing_update(project, days).count())]
