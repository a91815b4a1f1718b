"""Core domain of Common Ground. One module per area; import models from here."""

from coproduction.models.attributes import AttributeDefinition
from coproduction.models.audit import AuditEvent
from coproduction.models.corpus import Document
from coproduction.models.denylist import DenyListTerm
from coproduction.models.notifications import Notification
from coproduction.models.participants import Consent, InformationSheet, Participant
from coproduction.models.projects import Invitation, Membership, Project, Role, User

__all__ = [
    "AttributeDefinition",
    "AuditEvent",
    "Consent",
    "DenyListTerm",
    "Document",
    "InformationSheet",
    "Invitation",
    "Membership",
    "Notification",
    "Participant",
    "Project",
    "Role",
    "User",
]
