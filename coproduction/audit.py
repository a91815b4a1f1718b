"""The one way to write an audit row: `record(actor, action, obj)`. Never pass content."""

import logging

from django.db import models

from coproduction.models import AuditEvent, Project

log = logging.getLogger("coproduction.audit")


def record(actor, action: str, obj: models.Model | None = None, *, project: Project | None = None) -> AuditEvent:
    """Append an audit row: who, what, which object (type and id), when.

    The project is taken from `obj` when it has one (obj.project or obj itself).
    """
    if project is None and obj is not None:
        project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    event = AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        project=project,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    log.info("audit action=%s object=%s:%s actor=%s", action, event.object_type, event.object_id, event.actor_id)
    return event
