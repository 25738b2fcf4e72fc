"""All tables, imported here so SQLModel.metadata knows every one of them (Alembic and create_all read it)."""

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
from storage.tables.conversations import ConversationRecord, ConversationScope
from storage.tables.delivery import Delivery, DeliveryStatus
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
from storage.tables.tenancy import AuditEntry, Member, Platform, Workspace, WorkspaceAdmin

__all__ = [
    "AuditEntry",
    "Cadence",
    "CheckIn",
    "Circle",
    "CircleMember",
    "CircleMemberStatus",
    "CirclePrompt",
    "CircleStatus",
    "ConversationRecord",
    "ConversationScope",
    "Delivery",
    "DeliveryStatus",
    "Election",
    "ElectionStatus",
    "ElectionVote",
    "Enrollment",
    "EnrollmentStatus",
    "Goal",
    "GoalUpdate",
    "Member",
    "ModeratorMode",
    "Nomination",
    "Pair",
    "PairRequest",
    "PairRequestStatus",
    "PairStatus",
    "Participation",
    "PausePeriod",
    "Platform",
    "Program",
    "ProgramFormat",
    "ProgramState",
    "PromptStatus",
    "SessionLog",
    "Theme",
    "ThemeMode",
    "ThemeStatus",
    "ThemeVote",
    "Workspace",
    "WorkspaceAdmin",
]
