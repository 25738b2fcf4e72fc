"""When a program's sessions happen: the meeting weekday and time in the program's zone, every cadence.

Every function takes the program (its program-wide slot) or a group's `Timetable` (bot/kernel/timetable): a circle
or pair that agreed its own slot, or was given one inside its members' working hours. `group_timetable` is the one
way to get a group's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from bot.kernel.timetable import Stretch, Timetable, stretches_of
from storage.tables import Cadence, Circle, Pair, Program

Timed = Program | Timetable


def program_weeks(program: Program) -> int:
    return _every_weeks(program.cadence)


def _every_weeks(cadence: str) -> int:
    return 2 if cadence == Cadence.BIWEEKLY else 1


def first_meeting_day(program: Program) -> date:
    return _first_day(program.start_date, program.meeting_weekday)


def _first_day(start_date: date | None, weekday: int) -> date:
    start = start_date or date(2026, 1, 1)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def program_stretch(program: Program) -> Stretch:
    return program_timetable(program).stretches[0]


def program_session_count(program: Program) -> int:
    return max(1, program.weeks // program_weeks(program))


# The closing phase (bot/closing, feedback's final round): it starts two hours after the last session, while it is
# fresh, or earlier when an admin ends the program; the final poll and the after self-assessment stay open 14 days.
AFTER_LAST_SESSION = timedelta(hours=2)
CLOSING_PHASE = timedelta(days=14)


def natural_closing_start(program: Program) -> datetime:
    return program_timetable(program).ends


def closing_start(program: Program) -> datetime:
    """S: after the last session, or when `program end` moved the program to closing, whichever came first."""
    return program_timetable(program).cut


def closing_end(program: Program) -> datetime:
    """F: the final round closes; summaries, thanks and the closing report follow, then the program is closed."""
    return closing_start(program) + CLOSING_PHASE


def program_timetable(program: Program) -> Timetable:
    # Planners ask this once per circle and member on every tick (issue 18: 15,000 circles, 100,000 members):
    # it is built once per distinct set of the program's timing fields, which are all it reads.
    return _program_timetable(program.meeting_time, program.start_date, program.meeting_weekday, program.timezone,
                              program.cadence, program.weeks, program.closing_started_at)


@lru_cache(maxsize=1024)
def _program_timetable(meeting_time: str, start_date: date | None, meeting_weekday: int, timezone: str,
                       cadence: str, weeks: int, closing_started_at: datetime | None) -> Timetable:
    every = _every_weeks(cadence)
    hour, minute = (int(part) for part in meeting_time.split(":"))
    stretch = Stretch(start=0, first_day=_first_day(start_date, meeting_weekday), at=time(hour, minute),
                      zone=timezone, every_weeks=every)
    natural = stretch.moment(max(1, weeks // every) - 1) + AFTER_LAST_SESSION
    cut = min(natural, closing_started_at) if closing_started_at is not None else natural
    return Timetable(stretches=(stretch,), ends=natural, cut=cut)


def group_timetable(program: Program, group: Circle | Pair | None) -> Timetable:
    """The group's own schedule over the program's: its stretches replace the program's slot from their index on.
    Its sessions end with the program's: one that would start after the program's last session is not held."""
    base = program_timetable(program)
    schedule = group.schedule if group is not None else None
    if not schedule:
        return base  # most groups keep the program's slot
    for stretch in stretches_of(schedule):
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
