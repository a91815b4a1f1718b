"""Core domain of Common Ground. One module per area; import models from here."""

from coproduction.models.attributes import AttributeDefinition
from coproduction.models.audit import AuditEvent
from coproduction.models.cache import FallbackCacheEntry
from coproduction.models.codebook import Coding, CodingSession, DocumentSearchIndex, Excerpt, ExportJob, Memo, Theme
from coproduction.models.corpus import Document
from coproduction.models.denylist import AllowListTerm, DenyListTerm
from coproduction.models.notifications import Notification
from coproduction.models.participants import Consent, InformationSheet, Participant
from coproduction.models.projects import Invitation, Membership, Project, Role, User

__all__ = [
    "AllowListTerm",
    "AttributeDefinition",
    "AuditEvent",
    "Coding",
    "CodingSession",
    "Consent",
    "DenyListTerm",
    "Document",
    "DocumentSearchIndex",
    "Excerpt",
    "ExportJob",
    "FallbackCacheEntry",
    "InformationSheet",
    "Invitation",
    "Membership",
    "Memo",
    "Notification",
    "Participant",
    "Project",
    "Role",
    "Theme",
    "User",
]
