"""When a program's sessions happen: the meeting weekday and time in the program's zone, every cadence.

Every function takes the program (its program-wide slot) or a group's `Timetable` (bot/kernel/timetable): a circle
or pair that agreed its own slot, or was given one inside its members' working hours. `group_timetable` is the one
way to get a group's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.kernel.timetable import Stretch, Timetable, stretches_of
from storage.tables import Cadence, Circle, Pair, Program

Timed = Program | Timetable


def program_weeks(program: Program) -> int:
    return 2 if program.cadence == Cadence.BIWEEKLY else 1


def first_meeting_day(program: Program) -> date:
    start = program.start_date or date(2026, 1, 1)
    return start + timedelta(days=(program.meeting_weekday - start.weekday()) % 7)


def program_stretch(program: Program) -> Stretch:
    hour, minute = (int(part) for part in program.meeting_time.split(":"))
    return Stretch(start=0, first_day=first_meeting_day(program), at=time(hour, minute), zone=program.timezone,
                   every_weeks=program_weeks(program))


def program_session_count(program: Program) -> int:
    return max(1, program.weeks // program_weeks(program))


# The closing phase (bot/closing, feedback's final round): it starts two hours after the last session, while it is
# fresh, or earlier when an admin ends the program; the final poll and the after self-assessment stay open 14 days.
AFTER_LAST_SESSION = timedelta(hours=2)
CLOSING_PHASE = timedelta(days=14)


def natural_closing_start(program: Program) -> datetime:
    return program_stretch(program).moment(program_session_count(program) - 1) + AFTER_LAST_SESSION


def closing_start(program: Program) -> datetime:
    """S: after the last session, or when `program end` moved the program to closing, whichever came first."""
    natural = natural_closing_start(program)
    started = program.closing_started_at
    return min(natural, started) if started is not None else natural


def closing_end(program: Program) -> datetime:
    """F: the final round closes; summaries, thanks and the closing report follow, then the program is closed."""
    return closing_start(program) + CLOSING_PHASE


def program_timetable(program: Program) -> Timetable:
    return Timetable(stretches=(program_stretch(program),), ends=natural_closing_start(program),
                     cut=closing_start(program))


def group_timetable(program: Program, group: Circle | Pair | None) -> Timetable:
    """The group's own schedule over the program's: its stretches replace the program's slot from their index on.
    Its sessions end with the program's: one that would start after the program's last session is not held."""
    base = program_timetable(program)
    for stretch in stretches_of(group.schedule if group is not None else None):
        base = base.with_stretch(stretch)
    return base


def timetable(timed: Timed) -> Timetable:
    return timed if isinstance(timed, Timetable) else program_timetable(timed)


def cadence_weeks(timed: Timed) -> int:
    return timetable(timed).every_weeks


def session_count(timed: Timed) -> int:
    return program_session_count(timed) if isinstance(timed, Program) else timed.count()


def session_time(timed: Timed, index: int) -> datetime:
    """Session `index` (0-based) as an aware UTC moment; wall-clock time stays fixed across DST changes."""
    return timetable(timed).moment(index)


def session_zone(timed: Timed, index: int) -> str:
    return timetable(timed).zone_of(index)


def session_times(timed: Timed) -> list[datetime]:
    return timetable(timed).times()


def next_session(timed: Timed, now: datetime) -> tuple[int, datetime] | None:
    for index, moment in enumerate(session_times(timed)):
        if moment >= now:
            return index, moment
    return None
