"""What members chose at a program's end ("what next"): alumni circle, mentor next time, a new match, stay in touch."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import utc_column


class NextStep(StrEnum):
    ALUMNI = "alumni"  # join the program's alumni circle
    MENTOR_NEXT = "mentor_next"  # mentor in the next cohort: invited when the next program opens
    NEW_MATCH = "new_match"  # ask for a new match: invited to the next pair program
    STAY_IN_TOUCH = "stay_in_touch"  # keep in touch with the circle or pair: shared only with others who chose it


class ClosingChoice(SQLModel, table=True):
    """One per member, program and choice (the database enforces it, so a double press ends as one row)."""

    __tablename__ = "closing_choice"
    __table_args__ = (UniqueConstraint("program_id", "member_id", "choice"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    choice: str = Field(max_length=16)
    chosen_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))  # acted on (e.g. invited)
