"""When a series' items are due: one window (due, stale) per session, and whether a planner has anything open."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from bot.kernel.calendar import Timed, timetable
from bot.kernel.timetable import Timetable

DueState = Literal["early", "due", "stale"]

# A session's item that went stale more than two weeks ago is left alone: nothing is ever sent for a stale item, and
# the pass that ran then planned or noted it. Planners then neither walk a year of past sessions on every tick nor
# read their keys (issue 18): they read the keys due from KEYS_SINCE back, which covers every window that can still
# matter (the longest, a check-in's, lasts until the next session: at most four weeks and a session). Were a
# longer window ever to fall outside, the database's unique key still keeps its item from being queued twice.
SETTLED_AFTER = timedelta(days=14)
KEYS_SINCE = SETTLED_AFTER + timedelta(weeks=5)
Window = tuple[datetime, datetime]  # (due, stale) of one session's item


def due_state(now: datetime, *, due: datetime, stale: datetime | None) -> DueState:
    if now < due:
        return "early"
    if stale is not None and now >= stale:
        return "stale"
    return "due"


def any_open(now: datetime, windows: Sequence[Window]) -> bool:
    """Planners do nothing (not even noting stale items) unless one of their windows is open: most ticks."""
    return any(due <= now < stale for due, stale in windows)


Timing = Callable[[Timed, int], datetime]  # a session's due or stale moment (bot/sessions/timing)


def windows(timed: Timed, due: Timing, stale: Timing) -> list[Window]:
    """One window per session held before the closing phase: sessions after an early `program end` never happen.

    `timed` is a group's own timetable (bot/kernel/calendar.group_timetable) or the program's."""
    return list(_windows(timetable(timed), due, stale))


@lru_cache(maxsize=4096)
def _windows(table: Timetable, due: Timing, stale: Timing) -> tuple[Window, ...]:
    # Most of a program's circles share its timetable: every planner of every tick computed the same windows for
    # each of them (issue 18: 15,000 circles). A Timetable is a frozen value, so equal ones share an entry.
    return tuple((due(table, i), stale(table, i)) for i in range(table.count()) if table.moment(i) < table.cut)
