"""Themes and their votes, circles and their members, moderator elections."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class ThemeStatus(StrEnum):
    PROPOSED = "proposed"
    SELECTED = "selected"
    REJECTED = "rejected"
    MERGED = "merged"


class Theme(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("program_id", "title_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    title: str = Field(max_length=120)
    title_key: str = Field(max_length=120)  # case- and accent-folded: duplicates collide here
    status: str = Field(default=ThemeStatus.PROPOSED, max_length=16)
    merged_into_id: int | None = Field(default=None)
    proposed_by_member_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=utc_column())


class ThemeVote(SQLModel, table=True):
    """Approval voting: one row per member and theme they approve."""

    __table_args__ = (UniqueConstraint("theme_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(sa_column=utc_column())


class CircleStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Circle(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    name: str = Field(max_length=120)
    space: str = Field(default="", max_length=600)  # Target.key() of the circle's channel / thread
    moderator_member_id: int | None = Field(default=None)
    status: str = Field(default=CircleStatus.ACTIVE, max_length=16)
    capacity: int = Field(default=8)  # self-select: seats before the waitlist
    created_at: datetime = Field(sa_column=utc_column())
    # The circle's own meeting times when they differ from the program's (bot/kernel/calendar.group_timetable):
    # stretches {"from", "first", "at", "zone", "every"}; [] = the program-wide slot.
    schedule: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())


class CircleMemberStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"
    WAITLISTED = "waitlisted"


class CircleMember(SQLModel, table=True):
    """A member belongs to at most one circle per program (the database enforces it)."""

    __table_args__ = (UniqueConstraint("program_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(default=CircleMemberStatus.ACTIVE, max_length=16)
    why: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())  # formation's structured reason
    joined_at: datetime = Field(sa_column=utc_column())
    left_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    left_reason: str | None = Field(default=None, max_length=1000)  # private: admins only


class ElectionStatus(StrEnum):
    NOMINATING = "nominating"
    VOTING = "voting"
    CLOSED = "closed"
    NEEDS_APPOINTMENT = "needs_appointment"  # nobody stood: the admin is asked to appoint


class Election(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("circle_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    round: int = Field(default=1)
    status: str = Field(default=ElectionStatus.NOMINATING, max_length=20)
    nominations_close_at: datetime = Field(sa_column=utc_column())
    voting_closes_at: datetime = Field(sa_column=utc_column())
    winner_member_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=utc_column())


class Nomination(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("election_id", "nominee_member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    nominee_member_id: int = Field(foreign_key="member.id")
    nominated_by_member_id: int = Field(foreign_key="member.id")
    declined: bool = Field(default=False)
    created_at: datetime = Field(sa_column=utc_column())


class ElectionVote(SQLModel, table=True):
    """One vote per voter and election; changing it updates this row."""

    __table_args__ = (UniqueConstraint("election_id", "voter_member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    voter_member_id: int = Field(foreign_key="member.id")
    nominee_member_id: int = Field(foreign_key="member.id")
    created_at: datetime = Field(sa_column=utc_column())
