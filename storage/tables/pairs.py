"""Mentoring pairs (1-on-1, peer, reverse): requests from a mentee's shortlist, and the pairs themselves."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class PairRequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TIMED_OUT = "timed_out"
    WITHDRAWN = "withdrawn"


class PairRequest(SQLModel, table=True):
    """A mentee asked a mentor from their shortlist; the mentor answers before `expires_at`."""

    __table_args__ = (UniqueConstraint("program_id", "mentee_member_id", "mentor_member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    mentee_member_id: int = Field(foreign_key="member.id", index=True)
    mentor_member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(default=PairRequestStatus.PENDING, max_length=16, index=True)
    expires_at: datetime = Field(sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column())
    answered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class PairStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Pair(SQLModel, table=True):
    """One mentee has at most one active pair per program; a mentor up to their capacity."""

    __table_args__ = (UniqueConstraint("program_id", "mentee_member_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    mentor_member_id: int = Field(foreign_key="member.id", index=True)
    mentee_member_id: int = Field(foreign_key="member.id", index=True)
    round: int = Field(default=1)  # a rematch after a no-fault exit is round 2, 3, ...
    status: str = Field(default=PairStatus.ACTIVE, max_length=16, index=True)
    space: str = Field(default="", max_length=600)
    score: float = Field(default=0.0)
    started_at: datetime = Field(sa_column=utc_column())
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    ended_by_member_id: int | None = Field(default=None)
    end_reason: str | None = Field(default=None, max_length=1000)  # private: admins only
    # The pair's own meeting times (bot/kernel/calendar.group_timetable); [] = the program-wide slot.
    schedule: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
