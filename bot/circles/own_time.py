"""§0 for circles: a circle meets inside its members' shared working hours; who still meets outside theirs, and
which other circle of the program would fit them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.kernel.calendar import group_timetable
from bot.kernel.timetable import Stretch
from bot.sessions.slots import choose_slot, outside_hours
from bot.sessions.timing import in_working_hours, zone
from storage.tables import Circle, CircleStatus, Member, Program


def give_own_time(program: Program, circle: Circle, members: Sequence[Member]) -> tuple[Member, ...]:
    """At formation, the first point that knows the circle's members: its slot from their working hours (the
    program's when that fits everyone, schedule []); returns who still meets outside their hours."""
    choice = choose_slot(program, members)
    circle.schedule = choice.schedule
    return choice.outside


def slot_in_force(program: Program, circle: Circle) -> Stretch:
    """The circle's slot now: its last stretch, or the program's."""
    return group_timetable(program, circle).stretches[-1]


def outside_of(program: Program, circle: Circle, members: Sequence[Member]) -> tuple[Member, ...]:
    """Members some of whose sessions of the circle's slot fall outside their working hours."""
    return outside_hours(program, slot_in_force(program, circle), members)


def fitting_circle(program: Program, member: Member, *, current: Circle,
                   circles: Sequence[tuple[Circle, int]]) -> Circle | None:
    """Another active circle of the program (with its size) that has room and meets inside the member's hours:
    one of the same theme first, then the smallest. None: no circle fits."""
    found = [(circle, size) for circle, size in circles
             if circle.id != current.id and circle.status == CircleStatus.ACTIVE and size < program.size_max
             and not outside_of(program, circle, [member])]
    found.sort(key=lambda pair: (pair[0].theme_id != current.theme_id, pair[1], pair[0].id or 0))
    return found[0][0] if found else None


def session_outside(program: Program, circle: Circle, member: Member, now: datetime) -> datetime | None:
    """The member's first session of the circle from `now` on that falls outside their working hours (else the
    next one, else None: no session is left)."""
    table = group_timetable(program, circle)
    upcoming = [moment for moment in table.times() if now <= moment < table.cut]
    fallback = zone(program.timezone).key
    outside = [moment for moment in upcoming if not in_working_hours(member, moment, fallback=fallback)]
    return next(iter(outside or upcoming), None)
