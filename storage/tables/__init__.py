"""All tables, imported here so SQLModel.metadata knows every one of them (Alembic and create_all read it)."""

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
from storage.tables.tenancy import AuditEntry, Member, Platform, Workspace, WorkspaceAdmin

__all__ = [
    "AuditEntry",
    "Cadence",
    "Enrollment",
    "EnrollmentStatus",
    "Member",
    "ModeratorMode",
    "Participation",
    "Platform",
    "Program",
    "ProgramFormat",
    "ProgramState",
    "ThemeMode",
    "Workspace",
    "WorkspaceAdmin",
]
