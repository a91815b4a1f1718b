from django.conf import settings

from coproduction import navigation


def common_ground(request) -> dict:
    project = getattr(request, "project", None)
    membership = getattr(request, "membership", None)
    role = membership.role if membership else None
    return {
        "current_project": project,
        "current_membership": membership,
        "nav_items": navigation.items_for(role) if project else [],
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
    }
