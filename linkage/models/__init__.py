"""Typed SQLAlchemy models and the rules that belong to the data (states, masking)."""
from linkage.models.audit import AuditEntry, LedgerHead
from linkage.models.base import Base, UTCDateTime, utcnow
from linkage.models.certificates import Certificate
from linkage.models.consents import Consent, ConsentMethod
from linkage.models.consultations import Consultation, ConsultationCode, ConsultationItem, ConsultationVote
from linkage.models.cultivation import (
                                  AnnualReport,
                                  CapacityAssessment,
                                  Cohort,
                                  CohortMember,
                                  CohortStatus,
                                  CultivationRecord,
                                  MemberStatus,
                                  RecordKind,
)
from linkage.models.filings import Filing, FilingStatus
from linkage.models.funding import (
                                  FundEntry,
                                  FundingApplication,
                                  FundingReview,
                                  FundingRound,
                                  Grant,
                                  Milestone,
                                  ReviewAssignment,
)
from linkage.models.growth import BrandDesignation, Placement
from linkage.models.hours import (
                                  GENESIS,
                                  RECORD_ACTIONS,
                                  STANDING,
                                  HourAction,
                                  HourEntry,
                                  HourSource,
                                  RecordStatus,
                                  record_states,
                                  records_with_status,
)
from linkage.models.imports import ImportBatch, ImportStatus
from linkage.models.invitations import INVITEE_KINDS, Invitation, InvitationKind, InvitationStatus
from linkage.models.needs import MatchSet, Need, NeedStatus
from linkage.models.notifications import (
                                  Delivery,
                                  DeliveryStatus,
                                  Notification,
                                  NotificationKind,
                                  NotificationPreference,
                                  QuietHours,
)
from linkage.models.outbox import OutboxEvent, ProcessedEvent
from linkage.models.places import Community
from linkage.models.projects import (
                                  TRANSITIONS,
                                  Activity,
                                  Claim,
                                  ClaimStatus,
                                  Evaluation,
                                  EvaluationCode,
                                  Project,
                                  ProjectStatus,
                                  Signup,
                                  SignupStatus,
                                  check_transition,
)
from linkage.models.providers import CharityResource, Organization, SocialWorker, Volunteer
from linkage.models.qualifications import Qualification
from linkage.models.safety import GuardianConsent, Insurance
from linkage.models.series import ActivitySeries
from linkage.models.supervision import SupervisionSession, SupervisorAssignment, Training
from linkage.models.transfer import ImportedHours, TrustedPlatform
from linkage.models.users import LoginFailure, RateLimitCounter, Role, User

__all__ = [
    "Base", "records_with_status", "UTCDateTime", "utcnow", "Community", "Need", "NeedStatus", "MatchSet",
    "Organization", "SocialWorker", "Volunteer", "CharityResource", "Role", "User", "LoginFailure", "RateLimitCounter",
    "OutboxEvent", "ProcessedEvent", "Activity", "ActivitySeries", "Claim", "ClaimStatus", "Evaluation",
    "EvaluationCode", "Project", "ProjectStatus", "Signup", "SignupStatus", "TRANSITIONS",
    "check_transition", "GENESIS", "RECORD_ACTIONS", "HourAction", "HourEntry", "HourSource", "Certificate", "Consent", "ConsentMethod", "AuditEntry", "LedgerHead", "STANDING", "RecordStatus", "record_states",
    "Invitation", "InvitationKind", "InvitationStatus", "INVITEE_KINDS",
    "GuardianConsent", "Insurance", "ImportedHours", "TrustedPlatform",
    "FundEntry", "FundingApplication", "FundingReview", "FundingRound", "Grant", "Milestone", "ReviewAssignment",
    "Qualification",
    "ImportBatch", "ImportStatus",
    "Delivery", "DeliveryStatus", "Notification", "NotificationKind", "NotificationPreference", "QuietHours",
    "Filing", "FilingStatus",
    "AnnualReport", "CapacityAssessment", "Cohort", "CohortMember", "CohortStatus", "CultivationRecord",
    "MemberStatus", "RecordKind",
    "BrandDesignation", "Placement",
    "SupervisorAssignment", "SupervisionSession", "Training",
    "Consultation", "ConsultationCode", "ConsultationItem", "ConsultationVote",
]
