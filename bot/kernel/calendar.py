"""When a program's sessions happen: the meeting weekday and time in the program's zone, every cadence."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.tables import Cadence, Program


def cadence_weeks(program: Program) -> int:
    return 2 if program.cadence == Cadence.BIWEEKLY else 1


def first_meeting_day(program: Program) -> date:
    start = program.start_date or date(2026, 1, 1)
    return start + timedelta(days=(program.meeting_weekday - start.weekday()) % 7)


def session_count(program: Program) -> int:
    return max(1, program.weeks // cadence_weeks(program))


def session_time(program: Program, index: int) -> datetime:
    """Session `index` (0-based) as an aware UTC moment; wall-clock time stays fixed across DST changes."""
    hour, minute = (int(part) for part in program.meeting_time.split(":"))
    day = first_meeting_day(program) + timedelta(weeks=index * cadence_weeks(program))
    local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(program.timezone))
    return local.astimezone(ZoneInfo("UTC"))


def session_times(program: Program) -> list[datetime]:
    return [session_time(program, i) for i in range(session_count(program))]


def next_session(program: Program, now: datetime) -> tuple[int, datetime] | None:
    for index, moment in enumerate(session_times(program)):
        if moment >= now:
            return index, moment
    return None


# The closing phase (bot/closing, feedback's final round): it starts two hours after the last session, while it is
# fresh, or earlier when an admin ends the program; the final poll and the after self-assessment stay open 14 days.
AFTER_LAST_SESSION = timedelta(hours=2)
CLOSING_PHASE = timedelta(days=14)


def natural_closing_start(program: Program) -> datetime:
    return session_time(program, session_count(program) - 1) + AFTER_LAST_SESSION


def closing_start(program: Program) -> datetime:
    """S: after the last session, or when `program end` moved the program to closing, whichever came first."""
    natural = natural_closing_start(program)
    started = program.closing_started_at
    return min(natural, started) if started is not None else natural


def closing_end(program: Program) -> datetime:
    """F: the final round closes; summaries, thanks and the closing report follow, then the program is closed."""
    return closing_start(program) + CLOSING_PHASE
