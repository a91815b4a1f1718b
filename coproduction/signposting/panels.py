"""The coordinators' dashboard panel and digest line for directory entries to check."""

from coproduction.models import SupportService
from coproduction.models.signposting import stale_before
from coproduction.notifications.digest import DigestLine
from coproduction.prepared import PreparedQuery

# The coordinator's dashboard on every visit: compiled once (coproduction.prepared).
_reviewed_before = PreparedQuery(lambda project_id, day: SupportService.objects.filter(project=project_id).reviewed_before(day))


def stale_services(request, project) -> dict | None:
    stale = _reviewed_before.count(project_id=project.pk, day=stale_before())
    return {"stale": stale} if stale else None


def digest_section(project) -> list[DigestLine]:
    # Neutral wording: the digest may be read on a shared screen.
    return [DigestLine("Directory entries to check", SupportService.objects.filter(project=project).stale().count())]
