"""Dashboard panels for payments: counts only, in neutral words."""

from coproduction.models import Claim
from coproduction.prepared import PreparedQuery

_waiting = PreparedQuery(lambda project_id: Claim.objects.filter(project=project_id).waiting())


def coordinator_panel(request, project) -> dict | None:
    waiting = _waiting.count(project_id=project.pk)
    return {"waiting": waiting} if waiting else None


def peer_panel(request, project) -> dict | None:
    returned = Claim.objects.filter(project=project, person=request.user, status=Claim.Status.RETURNED).count()
    return {"returned": returned} if returned else None
