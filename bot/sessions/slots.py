"""§0 of the stages issue: a circle or pair meets inside its members' shared working hours.

Formation groups people by shared hours; this picks the group's slot from them. The program's slot is kept when it
fits everyone; otherwise the same session is moved by whole hours (up to a day earlier, or an hour later: a later
move would push the last session past the program's end) to the slot that fits the most members, nearest first.
Whoever still meets outside their hours is named, so they and the admin can be told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.kernel.calendar import program_session_count, program_stretch
from bot.kernel.timetable import Stretch
from bot.sessions.timing import zone
from storage.tables import Member, Program

# Hours the session may move, in order of preference: the program's own time, then nearest first.
SHIFTS = (0, -1, 1, *range(-2, -24, -1))


@dataclass(frozen=True)
class SlotChoice:
    stretch: Stretch | None  # None: the program's slot fits best; the group keeps the program-wide schedule
    outside: tuple[Member, ...]  # members some of whose sessions still fall outside their working hours

    @property
    def schedule(self) -> list[dict[str, object]]:
        """What Circle.schedule / Pair.schedule store."""
        return [self.stretch.to_json()] if self.stretch is not None else []


def shifted(program: Program, hours: int) -> Stretch:
    """The program's slot moved by `hours` of wall-clock time in the program's zone."""
    base = program_stretch(program)
    local = datetime.combine(base.first_day, base.at) + timedelta(hours=hours)
    return Stretch(start=0, first_day=local.date(), at=local.time(), zone=base.zone, every_weeks=base.every_weeks)


def outside_hours(program: Program, stretch: Stretch, members: Sequence[Member]) -> tuple[Member, ...]:
    """Members with at least one of the program's sessions, on `stretch`, outside their working hours."""
    moments = [stretch.moment(i) for i in range(program_session_count(program))]
    fallback = zone(program.timezone).key
    hours: dict[str, set[int]] = {}  # the sessions' local hours, once per zone and not per member (issue 18)

    def fits(member: Member) -> bool:
        start, end = member.work_start_hour, member.work_end_hour
        if start == end:
            return True  # no hours given: any time (bot/sessions/timing.in_working_hours)
        where = zone(member.timezone, fallback=fallback)
        local = hours.get(where.key)
        if local is None:
            local = hours[where.key] = {moment.astimezone(where).hour for moment in moments}
        if start < end:
            return all(start <= hour < end for hour in local)
        return all(hour >= start or hour < end for hour in local)  # a night shift across midnight

    return tuple(m for m in members if not fits(m))


def choose_slot(program: Program, members: Sequence[Member]) -> SlotChoice:
    best: tuple[int, Stretch, tuple[Member, ...]] | None = None
    for hours in SHIFTS:
        stretch = shifted(program, hours)
        outside = outside_hours(program, stretch, members)
        if best is None or len(outside) < len(best[2]):
            best = hours, stretch, outside
        if not outside:
            break
    assert best is not None
    hours, stretch, outside = best
    return SlotChoice(stretch=None if hours == 0 else stretch, outside=outside)
