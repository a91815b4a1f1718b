"""The coordinators' dashboard panel and digest line for directory entries to check."""

from coproduction.models import SupportService
from coproduction.notifications.digest import DigestLine


def stale_services(request, project) -> dict | None:
    stale = SupportService.objects.filter(project=project).stale().count()
    return {"stale": stale} if stale else None


def digest_section(project) -> list[DigestLine]:
    # Neutral wording: the digest may be read on a shared screen.
    return [DigestLine("Directory entries to check", SupportService.objects.filter(project=project).stale().count())]
