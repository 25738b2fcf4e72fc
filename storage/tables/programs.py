"""Programs (circles or pairs) and the enrollments of members in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class ProgramFormat(StrEnum):
    CIRCLES = "circles"
    ONE_ON_ONE = "one_on_one"
    PEER = "peer"
    REVERSE = "reverse"


class ProgramState(StrEnum):
    DRAFT = "draft"
    ENROLLING = "enrolling"
    FORMING = "forming"
    RUNNING = "running"
    CLOSING = "closing"  # after the last session (or `program end`): final poll, summaries, thanks, then closed
    CLOSED = "closed"


class ModeratorMode(StrEnum):
    APPOINTED = "appointed"
    ELECTED = "elected"
    ROTATING = "rotating"
    NONE = "none"


class Participation(StrEnum):
    VOLUNTARY = "voluntary"
    INVITATION = "invitation"  # only people invited with `program invite` (or auto-invited) can join, by saying yes
    MANDATORY = "mandatory"


class ThemeMode(StrEnum):
    ADMIN_FIXED = "admin_fixed"
    EMPLOYEE_VOTED = "employee_voted"
    SELF_SELECT = "self_select"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"
    WAITLISTED = "waitlisted"  # the program's seats are taken: first come (joined_at), first moved up
    INVITED = "invited"  # invited, has not answered: not a member of the program yet
    DECLINED = "declined"  # said no to an invitation


class Program(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=64)  # what people type: `join <slug>`
    goal: str = Field(default="", max_length=1000)
    format: str = Field(default=ProgramFormat.CIRCLES, max_length=16)
    state: str = Field(default=ProgramState.DRAFT, max_length=16, index=True)
    enrollment_opens: date | None = None
    enrollment_closes: date | None = None
    start_date: date | None = None
    weeks: int = Field(default=12)
    cadence: str = Field(default=Cadence.WEEKLY, max_length=16)
    meeting_weekday: int = Field(default=2)  # Monday = 0
    meeting_time: str = Field(default="10:00", max_length=5)  # HH:MM in `timezone`
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    size_min: int = Field(default=4)
    size_target: int = Field(default=6)
    size_max: int = Field(default=8)
    moderator_mode: str = Field(default=ModeratorMode.ELECTED, max_length=16)
    participation: str = Field(default=Participation.VOLUNTARY, max_length=16)
    theme_mode: str = Field(default=ThemeMode.EMPLOYEE_VOTED, max_length=16)
    max_theme_votes: int = Field(default=3)
    video_link: str = Field(default="", max_length=500)
    rules_frequency: str = Field(default="", max_length=200)
    rules_duration: str = Field(default="", max_length=200)
    rules_topics: str = Field(default="", max_length=1000)
    announcement_target: str = Field(default="", max_length=500)  # an opaque platform target
    checkins_by_dm: bool = Field(default=False)
    pair_matching: str = Field(default="shortlist", max_length=16)  # shortlist (mentees choose) | direct
    pair_response_hours: int = Field(default=48)  # a mentor answers a request within this many hours
    exclude_same_team: bool = Field(default=False)
    pair_cooldown_days: int = Field(default=180)  # earlier pairs inside this window are not matched again
    pulse_every_weeks: int = Field(default=4)  # feedback: a pulse poll every N weeks of the program (0: none)
    seats: int = Field(default=0)  # active enrollments at most; 0: no limit. The rest wait on the waitlist
    k_anonymity: int | None = Field(default=None)  # feedback shown only from this many answers; None: the config's
    invite_new_within_days: int = Field(default=0)  # onboarding: auto-invite people who started this recently
    org_fields_editable: bool = Field(default=False)  # members may edit their imported department/team/manager
    script: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())  # an admin's changes to the
    # format's default script of stages and prompts (bot/sessions/scripts); {} = the default as it is
    closing_started_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_by_member_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=utc_column())


class Enrollment(SQLModel, table=True):
    """One per member and program (the database enforces it); leaving keeps the row, status `left`."""

    __table_args__ = (UniqueConstraint("program_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(default=EnrollmentStatus.ACTIVE, max_length=16)
    role: str | None = Field(default=None, max_length=16)  # mentor / mentee in pair programs
    capacity: int = Field(default=1)  # mentors: how many mentees at once
    avoid_member_ids: list[int] = Field(default_factory=list, sa_column=json_column())  # "don't match me with"
    left_reason: str | None = Field(default=None, max_length=1000)  # private: admins only
    hopes: str = Field(default="", max_length=1000)  # reverse mentoring: what a senior wants to learn from a junior
    paused_until: date | None = None
    joined_at: datetime = Field(sa_column=utc_column())
    left_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
