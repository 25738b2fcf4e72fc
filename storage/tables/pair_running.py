"""Running mentoring pairs: the prompt each meeting got, and each side's confidential check-in per meeting."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import utc_column


class PairPrompt(SQLModel, table=True):
    """The library prompt chosen for one meeting of a pair. The database forbids repeats and two per meeting."""

    __table_args__ = (UniqueConstraint("pair_id", "prompt_id"), UniqueConstraint("pair_id", "meeting_index"))

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    prompt_id: str = Field(max_length=80)
    meeting_index: int
    created_at: datetime = Field(sa_column=utc_column())


class PairCheckIn(SQLModel, table=True):
    """One side's answer about one meeting: for them and the admins only, never for the other side.

    One row per member, pair and meeting; editing (until the next meeting) updates it.
    """

    __table_args__ = (UniqueConstraint("pair_id", "member_id", "meeting_index"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    meeting_index: int
    met: bool
    usefulness: int  # 1..5
    progress: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class EngagementCheck(SQLModel, table=True):
    """Reverse mentoring: the junior mentor's private answer about their senior mentee (making time, engaged), 1-5.
    Never shown to the mentee; admins see only aggregates of at least K answers."""

    __tablename__ = "engagement_check"
    __table_args__ = (UniqueConstraint("pair_id", "member_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)  # the junior mentor who answered
    round: int  # which check of the program (its meeting index when asked)
    making_time: int  # 1..5
    engaged: int  # 1..5
    answered_at: datetime = Field(sa_column=utc_column())
