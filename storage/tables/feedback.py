"""Feedback rounds (pulse, midpoint and final polls; before/after self-assessments), answers, digest snapshots."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class PollKind(StrEnum):
    PULSE = "pulse"
    MIDPOINT = "midpoint"
    FINAL = "final"
    BEFORE = "before"  # self-assessment when the program starts
    AFTER = "after"  # self-assessment when it ends


class Poll(SQLModel, table=True):
    """One feedback round of a program; answers are accepted (and editable) while it is open."""

    __table_args__ = (UniqueConstraint("program_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    kind: str = Field(max_length=16)
    key: str = Field(max_length=32)  # "pulse-4", "midpoint", "final", "before", "after"
    opens_at: datetime = Field(sa_column=utc_column())
    closes_at: datetime = Field(sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column())


class PollResponse(SQLModel, table=True):
    """One member's answer to a poll. Erasure unlinks the member and drops the text; the numbers stay, anonymous."""

    __table_args__ = (UniqueConstraint("poll_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    circle_id: int | None = Field(default=None, index=True)  # for circle-level aggregates of at least K answers
    satisfaction: int  # 1-5
    recommend: int  # 0-10
    keep: str | None = Field(default=None, max_length=1000)
    improve: str | None = Field(default=None, max_length=1000)
    submitted_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class SelfAssessment(SQLModel, table=True):
    """A member's own 1-5 rating of each skill they wanted to learn, before or after the program."""

    __table_args__ = (UniqueConstraint("poll_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    phase: str = Field(max_length=16)  # PollKind.BEFORE | PollKind.AFTER
    # [{"skill": "public speaking", "score": 3}, ...]; erasure sets every "skill" to null, scores stay
    ratings: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
    submitted_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class DigestSnapshot(SQLModel, table=True):
    """A program's digest figures for one ISO week, so the next digest can show the trend."""

    __table_args__ = (UniqueConstraint("program_id", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    week: str = Field(max_length=10)  # "2026-W02"
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_at: datetime = Field(sa_column=utc_column())
