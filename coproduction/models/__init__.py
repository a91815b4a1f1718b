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
from coproduction.models.payments import (
    Activity,
    ActivityKind,
    Claim,
    ClaimLocked,
    PaymentChoice,
    PaymentMethod,
    PaymentPolicy,
    Rate,
)
from coproduction.models.projects import Invitation, Membership, Project, Role, User
from coproduction.models.publication import Publication, PublishedTheme, PublishedVersion
from coproduction.models.signposting import ProtocolStep, SupportService
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
from coproduction.models.vouchers import Voucher, VoucherBatch, VoucherGift

__all__ = [
    "Activity",
    "ActivityKind",
    "Claim",
    "ClaimLocked",
    "PaymentChoice",
    "PaymentMethod",
    "PaymentPolicy",
    "Rate",
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
    "ProtocolStep",
    "PublicListing",
    "Publication",
    "PublishedTheme",
    "PublishedVersion",
    "PublishableTextDismissal",
    "ReachTarget",
    "RequestAttempt",
    "Role",
    "Strategy",
    "SupportService",
    "Theme",
    "ThemeCount",
    "User",
    "Venue",
    "Voucher",
    "VoucherBatch",
    "VoucherGift",
]
