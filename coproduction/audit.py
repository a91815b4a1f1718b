"""The one way to write an audit row: `record(actor, action, obj)`. Never pass content."""

import logging

from django.apps import apps
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


# Reading the log -------------------------------------------------------------------------------

# What an action's first part names, where its code does not read as words.
SUBJECTS = {
    "check_in": "Check-in",
    "notes": "Notes",
    "public_listing": "Public page of sessions",
    "publishable": "Publication check",
    "reach": "Who we have heard from",
    "strategy_overview": "Strategy overview",
}


def describe_action(action: str) -> str:
    """The action in words: "check_in.alert_acknowledged" reads "Check-in: alert acknowledged".
    The code itself stays in the CSV export of the log."""
    subject, _, rest = action.partition(".")
    words = SUBJECTS.get(subject) or subject.replace("_", " ").capitalize()
    return f"{words}: {rest.replace('_', ' ').replace('.', ' ')}" if rest else words


def object_labels(events) -> dict[tuple[str, str], str]:
    """A label for each event's object, as the audit log's reader (a coordinator) may see it:
    a participant's code, "Interview, 5 Dec", a session's kind and day; never content. A model
    says how with `audit_label()`, else its name is shown. One query per kind of object."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    labels: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        name = str(model._meta.verbose_name).capitalize()
        found = {}
        keys = [key for key in ids if key.isdigit()]
        if keys and hasattr(model, "audit_label"):
            found = {str(obj.pk): obj.audit_label() for obj in model._default_manager.filter(pk__in=keys)}
        for key in ids:
            if key in found:
                labels[(object_type, key)] = found[key]
            elif hasattr(model, "audit_label"):
                labels[(object_type, key)] = f"{name} (since removed)"
            else:
                labels[(object_type, key)] = name
    return labels
