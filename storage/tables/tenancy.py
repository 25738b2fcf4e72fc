"""Tenants and people: workspaces, members (with their profile), admins and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    LOCAL = "local"


class Workspace(SQLModel, table=True):
    """A tenant: one Slack workspace or one Teams tenant."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    locale: str = Field(default="en", max_length=8)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    created_at: datetime = Field(sa_column=utc_column())
    # Set when the platform says the app was removed (Slack: app_uninstalled, tokens_revoked): deliveries stop, the
    # data stays until an admin erases it (`lingkar workspace erase`). A new install clears both.
    inactive_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    inactive_reason: str | None = Field(default=None, max_length=32)


class Member(SQLModel, table=True):
    """A person in a workspace, with the questionnaire answers matching uses."""

    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    external_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    locale: str | None = Field(default=None, max_length=8)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    department: str = Field(default="", max_length=100)
    team: str = Field(default="", max_length=100)
    manager_external_id: str | None = Field(default=None, max_length=64)
    seniority: int = Field(default=1)  # 0 junior .. 4 executive
    job_title: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254, index=True)  # from the platform; matches the org import
    start_date: date | None = None  # from the org import: when the person joined the company
    skills_offered: list[str] = Field(default_factory=list, sa_column=json_column())
    skills_wanted: list[str] = Field(default_factory=list, sa_column=json_column())
    interests: list[str] = Field(default_factory=list, sa_column=json_column())
    work_start_hour: int = Field(default=9)  # local time, in `timezone`
    work_end_hour: int = Field(default=17)
    profile_completed: bool = Field(default=False)
    reachable: bool = Field(default=True)  # false once the platform says the user left or blocked us
    erased: bool = Field(default=False)
    created_at: datetime = Field(sa_column=utc_column())

    @property
    def name(self) -> str:
        """How the bot names the member to others: the display name, or the platform id when there is none."""
        return self.display_name or self.external_id


class WorkspaceAdmin(SQLModel, table=True):
    """A Lingkar admin (HR / L&D), by the platform's user id so admins can be named before they ever speak."""

    __table_args__ = (UniqueConstraint("workspace_id", "user_external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    user_external_id: str = Field(max_length=64)
    added_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_column=utc_column())


class AuditEntry(SQLModel, table=True):
    """What admins may need to see later: exits, erasures, admin changes. No message bodies of others."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    at: datetime = Field(sa_column=utc_column())
    actor_member_id: int | None = Field(default=None)
    action: str = Field(max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())


class OrgRecord(SQLModel, table=True):
    """One row of an admin's org import, kept until (and after) it meets its member: by platform id or email."""

    __tablename__ = "org_record"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    key: str = Field(max_length=254)  # the lower-cased email, or "id:<platform id>" when the row had no email
    email: str = Field(default="", max_length=254)
    external_id: str | None = Field(default=None, max_length=64)  # set once the member is known
    department: str = Field(default="", max_length=100)
    team: str = Field(default="", max_length=100)
    manager: str = Field(default="", max_length=254)  # the manager's email or platform id, as imported
    seniority: int | None = Field(default=None)
    start_date: date | None = None
    imported_at: datetime = Field(sa_column=utc_column())
