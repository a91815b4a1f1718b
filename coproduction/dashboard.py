"""The per-role dashboard ("what needs me next"), built from panels that each app registers.

Each panel has a template and a function (request, project) -> context dict, or None when the
panel has nothing to show. coproduction never imports the other apps; they register here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from coproduction.prepared import PreparedQuery


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 50


_panels: list[Panel] = []


def register_panel(template: str, *, context: Callable, roles: set[str] | None = None, order: int = 50) -> None:
    panel = Panel(template, context, frozenset(roles or ()), order)
    if panel not in _panels:
        _panels.append(panel)


def panels_for(request, project, role: str) -> list[tuple[str, dict]]:
    shown = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if panel.roles and role not in panel.roles:
            continue
        context = panel.context(request, project)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def _usable_invitations(project_id: int, now: datetime):
    from coproduction.models import Invitation

    return Invitation.objects.filter(project=project_id).usable(now)[:10]


_pending_invitations = PreparedQuery(_usable_invitations)


def pending_invitations(request, project) -> dict | None:
    invitations = _pending_invitations(project_id=project.pk, now=timezone.now())
    return {"invitations": invitations} if invitations else None


def account_protection(request, project) -> dict | None:
    """Offer MFA to people whose role does not require it (the others cannot get here without it).
    The project's page already asked whether the person has an authenticator (access.project_view)."""
    has_totp = getattr(request.membership, "user_has_totp", None)
    return None if (request.user.has_totp if has_totp is None else has_totp) else {}
