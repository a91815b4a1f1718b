"""Core domain of Common Ground. One module per area; import models from here."""

from coproduction.models.attributes import AttributeDefinition
from coproduction.models.audit import AuditEvent
from coproduction.models.cache import FallbackCacheEntry
from coproduction.models.codebook import (
    Adjudication,
    Coding,
    CodingSession,
    ConsensusCoding,
    ConsensusDecision,
    DocumentSearchIndex,
    Excerpt,
    ExportJob,
    Memo,
    Theme,
    ThemeCount,
)
from coproduction.models.corpus import Document
from coproduction.models.denylist import AllowListTerm, DenyListTerm
from coproduction.models.engagement import (
    AttributeAttendance,
    CohortAttendance,
    DiscussionGuide,
    DiscussionQuestion,
    Event,
    EventFeedback,
    IndividualSessionRequest,
    PublicListing,
    ReachTarget,
    RequestAttempt,
)
from coproduction.models.follow_up import FollowUpContact
from coproduction.models.imports import ImportBatch, ImportedSource
from coproduction.models.notes import NotesDraft, PiiResolution
from coproduction.models.notifications import Notification
from coproduction.models.participants import Consent, InformationSheet, Participant
from coproduction.models.projects import Invitation, Membership, Project, Role, User
from coproduction.models.publication import Publication, PublishedTheme, PublishedVersion
from coproduction.models.strategy import (
    Action,
    ActionComment,
    ActionStatus,
    ActionUpdate,
    Indicator,
    Measurement,
    Organisation,
    Priority,
    PublishableTextDismissal,
    Strategy,
)
from coproduction.models.venues import Venue

__all__ = [
    "Adjudication",
    "Action",
    "ActionComment",
    "ActionStatus",
    "ActionUpdate",
    "AllowListTerm",
    "AttributeAttendance",
    "AttributeDefinition",
    "AuditEvent",
    "Coding",
    "CodingSession",
    "CohortAttendance",
    "Consent",
    "ConsensusCoding",
    "ConsensusDecision",
    "DenyListTerm",
    "DiscussionGuide",
    "DiscussionQuestion",
    "Document",
    "DocumentSearchIndex",
    "Event",
    "EventFeedback",
    "ImportBatch",
    "ImportedSource",
    "Excerpt",
    "ExportJob",
    "FallbackCacheEntry",
    "FollowUpContact",
    "Indicator",
    "IndividualSessionRequest",
    "InformationSheet",
    "Invitation",
    "Measurement",
    "Membership",
    "Memo",
    "NotesDraft",
    "Notification",
    "Organisation",
    "Participant",
    "PiiResolution",
    "Priority",
    "Project",
    "PublicListing",
    "Publication",
    "PublishedTheme",
    "PublishedVersion",
    "PublishableTextDismissal",
    "ReachTarget",
    "RequestAttempt",
    "Role",
    "Strategy",
    "Theme",
    "ThemeCount",
    "User",
    "Venue",
]
