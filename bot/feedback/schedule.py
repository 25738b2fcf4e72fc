"""When a program's feedback rounds open and close: pulses every N weeks, midpoint, final, before and after.

The final poll and the after self-assessment belong to the closing phase: they open at its start (S, after the
last session or when an admin ended the program earlier) and close 14 days later; no pulse or midpoint opens after S.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.kernel.calendar import CLOSING_PHASE, cadence_weeks, closing_start, first_meeting_day, session_count
from storage.tables import PollKind, Program

AFTER_SESSION = timedelta(hours=2)  # polls open after that week's session, while it is fresh
POLL_OPEN = timedelta(days=7)
FINAL_OPEN = CLOSING_PHASE
BEFORE_LEAD = timedelta(days=7)  # the "before" self-assessment opens a week ahead of the first session
ASSESSMENT_OPEN = timedelta(days=14)
MIN_GAP_WEEKS = 2  # a pulse this close to the midpoint or the final poll is dropped: one poll is enough

POLL_KINDS = (PollKind.PULSE, PollKind.MIDPOINT, PollKind.FINAL)
ASSESSMENT_KINDS = (PollKind.BEFORE, PollKind.AFTER)


@dataclass(frozen=True)
class Round:
    kind: str
    key: str
    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


def week_moment(program: Program, week: int) -> datetime:
    """The meeting's wall-clock time `week` weeks after the first meeting, in UTC (stable across DST)."""
    hour, minute = (int(part) for part in program.meeting_time.split(":"))
    day = first_meeting_day(program) + timedelta(weeks=week)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(program.timezone)).astimezone(ZoneInfo("UTC"))


def rounds(program: Program) -> list[Round]:
    """Every round of the program, in opening order."""
    step = cadence_weeks(program)
    last_week = (session_count(program) - 1) * step
    middle_week = (session_count(program) // 2) * step
    first, closing = week_moment(program, 0), closing_start(program)
    found = [Round(PollKind.BEFORE, "before", first - BEFORE_LEAD, first + ASSESSMENT_OPEN)]
    every = max(0, program.pulse_every_weeks)
    has_middle = 0 < middle_week < last_week
    if every:
        for week in range(every, last_week, every):
            if last_week - week < MIN_GAP_WEEKS or (has_middle and abs(week - middle_week) < MIN_GAP_WEEKS):
                continue
            opens = week_moment(program, week) + AFTER_SESSION
            found.append(Round(PollKind.PULSE, f"pulse-{week}", opens, opens + POLL_OPEN))
    if has_middle:
        opens = week_moment(program, middle_week) + AFTER_SESSION
        found.append(Round(PollKind.MIDPOINT, "midpoint", opens, opens + POLL_OPEN))
    found = [r for r in found if r.kind == PollKind.BEFORE or r.opens_at < closing]  # ended early: no more pulses
    found.append(Round(PollKind.FINAL, "final", closing, closing + FINAL_OPEN))
    found.append(Round(PollKind.AFTER, "after", closing, closing + FINAL_OPEN))  # both close at F
    return sorted(found, key=lambda r: (r.opens_at, r.key))


def due_rounds(program: Program, now: datetime) -> list[Round]:
    """What to plan now: of the open polls, only the latest, and likewise of the self-assessments.

    After a gap the latest open round is planned once; rounds that closed meanwhile are stale and skipped.
    """
    due: list[Round] = []
    for kinds in (POLL_KINDS, ASSESSMENT_KINDS):
        open_now = [r for r in rounds(program) if r.kind in kinds and r.is_open(now)]
        if open_now:
            due.append(open_now[-1])
    return due


def final_round(program: Program) -> Round:
    return next(r for r in rounds(program) if r.kind == PollKind.FINAL)
