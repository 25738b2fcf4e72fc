"""Running circles: prompts used per circle, check-ins, session logs, goals and pauses."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class PromptStatus(StrEnum):
    QUEUED = "queued"  # a moderator's own prompt waiting for its session
    ASSIGNED = "assigned"  # chosen for `session_index`, not posted yet (a moderator may still skip it)
    POSTED = "posted"  # queued for the circle's channel: never shown again in this circle
    SKIPPED = "skipped"  # a moderator skipped it: never shown in this circle either


class CirclePrompt(SQLModel, table=True):
    """Every prompt a circle has seen or will see. The database forbids repeats and two prompts per session.

    `session_index` is set only while the prompt is assigned or posted; NULLs never collide, so skipped
    and queued rows can be many.
    """

    __table_args__ = (UniqueConstraint("circle_id", "prompt_id"), UniqueConstraint("circle_id", "session_index"))

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    prompt_id: str = Field(max_length=80)  # the library's id, or "custom-<hex>" for a moderator's own
    session_index: int | None = Field(default=None)
    status: str = Field(default=PromptStatus.ASSIGNED, max_length=16)
    custom_text: str | None = Field(default=None, max_length=500)
    added_by_member_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=utc_column())


class CheckIn(SQLModel, table=True):
    """One answer per member, circle and session; editing updates this row."""

    __table_args__ = (UniqueConstraint("circle_id", "member_id", "session_index"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    session_index: int
    attended: bool
    usefulness: int  # 1..5
    progress: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class SessionLog(SQLModel, table=True):
    """What the moderator recorded about one session: who came, what came out of it."""

    __table_args__ = (UniqueConstraint("circle_id", "session_index"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    session_index: int
    attendee_member_ids: list[int] = Field(default_factory=list, sa_column=json_column())
    outcomes: str = Field(default="", max_length=2000)
    logged_by_member_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class Goal(SQLModel, table=True):
    """A member's SMART goal for one program (one per member and program; `goal set` edits it)."""

    __table_args__ = (UniqueConstraint("program_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    specific: str = Field(max_length=500)
    measurable: str = Field(max_length=500)
    achievable: str = Field(max_length=500)
    relevant: str = Field(max_length=500)
    due_on: date
    progress: int = Field(default=0)  # 0..100
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class GoalUpdate(SQLModel, table=True):
    """Progress over time, so a member (and later the evaluation) sees the path, not just the last number."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    goal_id: int = Field(foreign_key="goal.id", index=True)
    progress: int
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_column=utc_column())


class PausePeriod(SQLModel, table=True):
    """When a member paused (Enrollment.paused_until holds only the current pause): missed check-ins
    during a pause do not count toward the missed-check-in flag."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    starts_on: date
    until: date  # inclusive
    ended_on: date | None = None  # `resume` on this day: the pause covered the days before it
    created_at: datetime = Field(sa_column=utc_column())
