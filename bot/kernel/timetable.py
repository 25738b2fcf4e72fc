"""When one circle or pair meets: the program's slot, or the group's own stretches of it.

A group's `schedule` (Circle.schedule, Pair.schedule) is a list of stretches, each governing the sessions from one
index on: {"from": index, "first": "YYYY-MM-DD", "at": "HH:MM", "zone": "Area/City", "every": weeks}. Formation
writes one when the program's slot falls outside the members' shared working hours (bot/sessions/slots.py); a
confirmed agreement adds one from the next session on, so sessions already held keep their times and their index
(check-ins, logs and delivery keys refer to sessions by index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = ZoneInfo("UTC")
# A program of a year of weekly sessions has 52; a bound keeps a bad stretch from looping.
MAX_SESSIONS = 400


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Stretch:
    """Sessions `start`, `start+1`, ... on `first_day`, then every `every_weeks` weeks, at `at` in `zone`."""

    start: int
    first_day: date
    at: time
    zone: str
    every_weeks: int
    minutes: int | None = None  # how long each session lasts, when agreed; None: the program's length

    def moment(self, index: int) -> datetime:
        """Wall-clock time stays fixed in the stretch's zone across daylight-saving changes."""
        return _stretch_moment(self, index)

    def to_json(self) -> dict[str, Any]:
        raw = {"from": self.start, "first": self.first_day.isoformat(), "at": self.at.strftime("%H:%M"),
               "zone": self.zone, "every": self.every_weeks}
        return raw if self.minutes is None else {**raw, "minutes": self.minutes}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Stretch | None:
        """None for anything malformed: a stored schedule is never trusted to be well formed."""
        try:
            hour, minute = (int(p) for p in str(raw["at"]).split(":"))
            minutes = raw.get("minutes")
            stretch = cls(start=int(raw["from"]), first_day=date.fromisoformat(str(raw["first"])),
                          at=time(hour, minute), zone=str(raw["zone"]), every_weeks=int(raw["every"]),
                          minutes=None if minutes is None else int(minutes))
        except (KeyError, TypeError, ValueError):
            return None
        fine = stretch.start >= 0 and stretch.every_weeks in (1, 2, 4) and (
            stretch.minutes is None or 5 <= stretch.minutes <= 480)
        return stretch if fine else None


@dataclass(frozen=True)
class Timetable:
    """Every session of one schedule; sessions start before `ends` (the program's natural closing start) and are
    held only before `cut` (earlier when an admin ended the program)."""

    stretches: tuple[Stretch, ...]  # by start; the first starts at 0
    ends: datetime
    cut: datetime

    def stretch_for(self, index: int) -> Stretch:
        found = self.stretches[0]
        for stretch in self.stretches:
            if stretch.start <= index:
                found = stretch
        return found

    def moment(self, index: int) -> datetime:
        return self.stretch_for(index).moment(index)

    def zone_of(self, index: int) -> str:
        return self.stretch_for(index).zone

    @property
    def timezone(self) -> str:
        """The zone of the schedule now in force (its last stretch)."""
        return self.stretches[-1].zone

    @property
    def every_weeks(self) -> int:
        return self.stretches[-1].every_weeks

    @property
    def minutes(self) -> int | None:
        """The agreed length of a session now, if any."""
        return self.stretches[-1].minutes

    def count(self) -> int:
        return _count(self)

    def times(self) -> list[datetime]:
        return list(_times(self))

    def with_stretch(self, stretch: Stretch) -> Timetable:
        """This schedule with `stretch` governing its sessions from `stretch.start` on."""
        kept = tuple(s for s in self.stretches if s.start < stretch.start)
        return Timetable(stretches=(*kept, stretch), ends=self.ends, cut=self.cut)


# Both are pure functions of frozen values, asked millions of times a tick (the digest and the planners ask a group's
# session count once per session): computed once per distinct stretch or timetable, most groups share the program's.
@lru_cache(maxsize=4096)
def _times(table: Timetable) -> tuple[datetime, ...]:
    return tuple(table.moment(i) for i in range(table.count()))


@lru_cache(maxsize=65536)
def _stretch_moment(stretch: Stretch, index: int) -> datetime:
    day = stretch.first_day + timedelta(weeks=(index - stretch.start) * stretch.every_weeks)
    return datetime.combine(day, stretch.at, tzinfo=_zone(stretch.zone)).astimezone(UTC)


@lru_cache(maxsize=16384)
def _count(table: Timetable) -> int:
    n = 0
    while n < MAX_SESSIONS and table.moment(n) < table.ends:
        n += 1
    return max(1, n)


def stretches_of(schedule: list[dict[str, Any]] | None) -> list[Stretch]:
    found = [s for s in (Stretch.from_json(raw) for raw in schedule or [] if isinstance(raw, dict)) if s]
    return sorted(found, key=lambda s: s.start)


def first_day_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def stretch_from(timetable: Timetable, *, now: datetime, weekday: int, at: time, zone: str, every_weeks: int,
                 minutes: int | None = None, lead: timedelta = timedelta(days=1)) -> Stretch:
    """A new slot from the next session not yet started on: its first meeting is the first `weekday` at `at` that
    is at least `lead` away (so the day-before prompt and agenda still go out)."""
    start = next((i for i in range(MAX_SESSIONS) if timetable.moment(i) > now), MAX_SESSIONS)
    local_today = now.astimezone(_zone(zone)).date()
    day = first_day_on_or_after(local_today, weekday)
    while datetime.combine(day, at, tzinfo=_zone(zone)) < now + lead:
        day += timedelta(weeks=1)
    return Stretch(start=start, first_day=day, at=at, zone=zone, every_weeks=every_weeks, minutes=minutes)
