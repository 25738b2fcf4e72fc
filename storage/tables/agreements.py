"""A circle's or pair's agreement: how often, when and how long they meet, what about, how they stay in touch.

Each proposal is a version of the group's agreement; it takes effect when every active member has confirmed it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import utc_column


class AgreementStatus(StrEnum):
    PROPOSED = "proposed"  # waiting for the others' confirmation
    CONFIRMED = "confirmed"  # in force (the newest confirmed version drives the group's schedule)
    SUPERSEDED = "superseded"  # a newer proposal replaced it before everyone confirmed


class Agreement(SQLModel, table=True):
    """`group` is "circle:<id>" or "pair:<id>"; (group, version) is unique, so two proposals at once end as one."""

    __table_args__ = (UniqueConstraint("group", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    group: str = Field(max_length=40, index=True)
    version: int = Field(default=1)
    status: str = Field(default=AgreementStatus.PROPOSED, max_length=16)
    proposed_by_member_id: int = Field(foreign_key="member.id", index=True)
    every_weeks: int = Field(default=1)  # 1 weekly, 2 every two weeks, 4 monthly
    weekday: int = Field(default=0)  # 0 = Monday
    meeting_time: str = Field(default="10:00", max_length=5)  # "HH:MM" in `timezone`
    timezone: str = Field(default="UTC", max_length=64)
    length_minutes: int = Field(default=60)
    topics: str = Field(default="", max_length=1000)  # member text: never logged
    contact: str = Field(default="", max_length=500)  # how they stay in touch between meetings
    confidential: bool = Field(default=True)  # what is said stays in the group
    created_at: datetime = Field(sa_column=utc_column())
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AgreementConfirmation(SQLModel, table=True):
    """One member's yes to one version; unique, so a double click is one row."""

    __table_args__ = (UniqueConstraint("agreement_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    confirmed_at: datetime = Field(sa_column=utc_column())
