"""Dashboard panels for payments: counts only, in neutral words."""

from coproduction.models import Claim


def coordinator_panel(request, project) -> dict | None:
    waiting = Claim.objects.filter(project=project).waiting().count()
    return {"waiting": waiting} if waiting else None


def peer_panel(request, project) -> dict | None:
    returned = Claim.objects.filter(project=project, person=request.user, status=Claim.Status.RETURNED).count()
    return {"returned": returned} if returned else None
