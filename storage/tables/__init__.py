"""All tables, imported here so SQLModel.metadata knows every one of them (Alembic and create_all read it)."""

from storage.tables.agreements import Agreement, AgreementConfirmation, AgreementStatus
from storage.tables.circles import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    Election,
    ElectionStatus,
    ElectionVote,
    Nomination,
    Theme,
    ThemeStatus,
    ThemeVote,
)
from storage.tables.closing import ClosingChoice, NextStep
from storage.tables.conversations import ConversationRecord, ConversationScope, PendingFile
from storage.tables.delivery import Delivery, DeliveryStatus
from storage.tables.feedback import DigestSnapshot, Poll, PollKind, PollResponse, SelfAssessment
from storage.tables.forms import UsedForm
from storage.tables.kept import KeptForm, SeenEvent
from storage.tables.pacing import WorkspacePace
from storage.tables.pair_running import EngagementCheck, PairCheckIn, PairPrompt
from storage.tables.pairs import Pair, PairRequest, PairRequestStatus, PairStatus
from storage.tables.programs import (
    Cadence,
    Enrollment,
    EnrollmentStatus,
    ModeratorMode,
    Participation,
    Program,
    ProgramFormat,
    ProgramState,
    ThemeMode,
)
from storage.tables.running import CheckIn, CirclePrompt, Goal, GoalUpdate, PausePeriod, PromptStatus, SessionLog
from storage.tables.slack_oauth import slack_bots, slack_installations, slack_oauth_states
from storage.tables.tenancy import AuditEntry, Member, OrgRecord, Platform, Workspace, WorkspaceAdmin

__all__ = [
    "Agreement",
    "AgreementConfirmation",
    "AgreementStatus",
    "AuditEntry",
    "Cadence",
    "CheckIn",
    "Circle",
    "CircleMember",
    "CircleMemberStatus",
    "CirclePrompt",
    "CircleStatus",
    "ClosingChoice",
    "ConversationRecord",
    "ConversationScope",
    "Delivery",
    "DeliveryStatus",
    "DigestSnapshot",
    "Election",
    "ElectionStatus",
    "ElectionVote",
    "EngagementCheck",
    "Enrollment",
    "EnrollmentStatus",
    "Goal",
    "GoalUpdate",
    "KeptForm",
    "Member",
    "ModeratorMode",
    "NextStep",
    "Nomination",
    "OrgRecord",
    "Pair",
    "PairCheckIn",
    "PairPrompt",
    "PairRequest",
    "PairRequestStatus",
    "PairStatus",
    "Participation",
    "PausePeriod",
    "PendingFile",
    "Platform",
    "Poll",
    "PollKind",
    "PollResponse",
    "Program",
    "ProgramFormat",
    "ProgramState",
    "PromptStatus",
    "SeenEvent",
    "SelfAssessment",
    "SessionLog",
    "Theme",
    "ThemeMode",
    "ThemeStatus",
    "ThemeVote",
    "UsedForm",
    "Workspace",
    "WorkspaceAdmin",
    "WorkspacePace",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]
