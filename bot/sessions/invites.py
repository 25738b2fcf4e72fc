"""Calendar invites: a circle's or pair's sessions as one recurring iCalendar event (RFC 5545, methods of RFC 5546).

`series_of` is the one place invites take their times from: the group's own timetable (bot/kernel/calendar
.group_timetable), the program's slot for a group without one.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from itertools import takewhile
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.kernel.calendar import group_timetable
from bot.kernel.timetable import Timetable
from storage.tables import Circle, Pair, Program

if TYPE_CHECKING:
    from icalendar import Event

DEFAULT_LENGTH = timedelta(minutes=60)
Method = Literal["REQUEST", "CANCEL"]

_HOURS = ("hours", "hour", "hrs", "hr", "h", "jam")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(hours|hour|hrs|hr|h|jam|minutes|minute|mins|min|menit|m)?\b", re.I)


def session_length(program: Program) -> timedelta:
    """How long a session lasts: the program's `rules_duration` when it reads as one ("45 minutes", "1 jam 30
    menit", "90"), else an hour. Amounts without a unit are minutes; a length outside 5 min-8 h is a typo."""
    return _length_of((program.rules_duration or "").strip())


@lru_cache(maxsize=1024)
def _length_of(text: str) -> timedelta:
    found = _AMOUNT.findall(text)
    with_unit = [(amount, unit) for amount, unit in found if unit]
    # A bare number is minutes only when it is all there is: "12 weeks" is how long the program runs, not a session.
    parts = with_unit or (found[:1] if re.fullmatch(r"\d+", text) else [])
    if not parts:
        return DEFAULT_LENGTH
    minutes = sum(float(amount.replace(",", ".")) * (60 if unit.lower() in _HOURS else 1) for amount, unit in parts)
    return timedelta(minutes=round(minutes)) if 5 <= minutes <= 480 else DEFAULT_LENGTH


@dataclass(frozen=True)
class Slot:
    """How one session is held: the zone its wall-clock time is fixed in, its cadence and length, and the stretch
    of the group's timetable it belongs to (sessions of one stretch repeat one rule)."""

    zone: str
    every_weeks: int
    length: timedelta
    stretch: int


@dataclass(frozen=True)
class Series:
    """When one circle or pair meets: every session of its schedule, and the zone, cadence and length in force."""

    zone: str
    interval_weeks: int
    duration: timedelta
    sessions: tuple[datetime, ...]  # aware UTC, in order
    cut: datetime  # sessions from here on never happen: the closing start (earlier after `program end`)
    slots: tuple[Slot, ...] = ()  # one per session; () when every session is held in force (zone, cadence, length)

    def held_after(self, since: datetime) -> list[datetime]:
        """The sessions of someone who came at `since` (placed in a circle, pair formed) that will be held."""
        # Sessions are in order: two bisections, not a scan (the calendar planner asks once per member and tick).
        return list(self.sessions[bisect_right(self.sessions, since):bisect_left(self.sessions, self.cut)])

    def cancelled_after(self, since: datetime) -> list[datetime]:
        """Their sessions an early end took away."""
        return [s for s in self.sessions if s > since and s >= self.cut]

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # A series is a cache key once per member and tick (schedule_print): hash its many moments once.
        return hash((self.zone, self.interval_weeks, self.duration, self.sessions, self.cut, self.slots))

    @cached_property
    def _one_stretch(self) -> bool:
        return len({slot.stretch for slot in self.slots}) <= 1

    @cached_property
    def _slot_by_moment(self) -> dict[datetime, Slot]:
        return dict(zip(self.sessions, self.slots, strict=False))

    def slot(self, moment: datetime) -> Slot:
        return self._slot_by_moment.get(moment) or Slot(self.zone, self.interval_weeks, self.duration, 0)

    def one_rule(self, sessions: Sequence[datetime]) -> bool:
        """True when `sessions` all come from one stretch, so one RRULE from the first of them shows them all."""
        if self._one_stretch:
            return True  # most series: the program's slot throughout
        return len({self.slot(s).stretch for s in sessions}) <= 1


def series_of(program: Program, group: Circle | Pair | None = None) -> Series:
    """The group's own timetable (bot/kernel/calendar.group_timetable): the program's slot until the group agreed
    or was given its own, each session in its stretch's zone, cadence and length (the agreed minutes, else the
    program's length). What is in force is the stretch of the group's last session."""
    return _series(group_timetable(program, group), session_length(program))


@lru_cache(maxsize=4096)
def _series(table: Timetable, default: timedelta) -> Series:
    # Most of a program's groups share its timetable; the calendar planner asks once per member and tick.
    times = table.times()
    slots = []
    for index in range(len(times)):
        stretch = table.stretch_for(index)
        length = timedelta(minutes=stretch.minutes) if stretch.minutes else default
        slots.append(Slot(stretch.zone, stretch.every_weeks, length, stretch.start))
    last = slots[-1]
    return Series(zone=last.zone, interval_weeks=last.every_weeks, duration=last.length, sessions=tuple(times),
                  cut=table.cut, slots=tuple(slots))


@dataclass(frozen=True)
class Invite:
    """One member's invite for one group's series (REQUEST), or its cancellation (CANCEL)."""

    uid: str
    sequence: int
    summary: str
    description: str
    location: str  # the video link; may be empty
    series: Series
    sessions: tuple[datetime, ...]  # REQUEST: the sessions it invites to; CANCEL: the ones cancelled
    method: Method = "REQUEST"
    whole: bool = False  # CANCEL of the whole series (they left) rather than of `sessions` (an early end)


def fingerprint(*parts: object) -> str:
    """A short digest of what a calendar shows; a new one means the invite changed and its SEQUENCE grows."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]


def schedule_print(series: Series, sessions: list[datetime], *, name: str, location: str) -> str:
    """One rule is known by its zone, cadence, length, first session and count (the print invites always had, so
    an unchanged schedule sends nothing new); several stretches add every session as it is held."""
    first = series.slot(sessions[0]) if sessions else Slot(series.zone, series.interval_weeks, series.duration, 0)
    base = (first.zone, first.every_weeks, first.length.total_seconds(),
            sessions[0].isoformat() if sessions else "", len(sessions), name, location)
    if series.one_rule(sessions):
        return fingerprint(*base)
    held = [(s.isoformat(), series.slot(s).zone, series.slot(s).length.total_seconds()) for s in sessions]
    return fingerprint(*base, *held)


def build_ics(invite: Invite, *, stamp: datetime) -> bytes:
    """The .ics file: VCALENDAR with METHOD, its VEVENT(s) and the VTIMEZONE of every zone a session is held in."""
    # Imported on the first invite, so a server that never sends one never holds icalendar (docs/architecture.md,
    # "lazy imports"): for memory, not to dodge an import cycle.
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Lingkar//Mentoring sessions//EN")
    cal.add("version", "2.0")
    cal.add("method", invite.method)
    cal.add("calscale", "GREGORIAN")
    if invite.method == "REQUEST":
        for component in _series_events(invite, stamp):
            cal.add_component(component)
    elif invite.whole:  # RFC 5546 3.2.5: the UID alone cancels every instance
        cal.add_component(_series_events(invite, stamp)[0])
    else:
        for moment in invite.sessions:  # RFC 5546 3.2.5: each cancelled instance by its RECURRENCE-ID
            cal.add_component(_instance(invite, stamp, moment))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _local(invite: Invite, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(invite.series.slot(moment).zone))


def _common(invite: Invite, stamp: datetime, start: datetime, length: timedelta) -> Event:
    from icalendar import Event  # lazily, as in build_ics

    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", _local(invite, start))
    event.add("duration", length)
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    if invite.location:
        event.add("location", invite.location)
        if re.match(r"https?://\S+$", invite.location):
            event.add("url", invite.location)
    event.add("status", "CONFIRMED" if invite.method == "REQUEST" else "CANCELLED")
    return event


def _series_events(invite: Invite, stamp: datetime) -> list[Event]:
    """One recurring event: DTSTART and an RRULE for the member's sessions of their first stretch, an RDATE (in
    its own zone) for each later session, DURATION the length in force; a session of another length (held before
    an agreed one) gets its own instance by RECURRENCE-ID. One stretch, as most groups have: just the RRULE."""
    series = invite.series
    sessions = list(invite.sessions) or [series.sessions[0]]
    first = series.slot(sessions[0])
    lead = list(takewhile(lambda s: series.slot(s).stretch == first.stretch, sessions))
    length = series.slot(sessions[-1]).length
    event = _common(invite, stamp, sessions[0], length)
    event.add("rrule", {"FREQ": "WEEKLY", "INTERVAL": first.every_weeks, "COUNT": len(lead)})
    later = sessions[len(lead):]
    for zone in dict.fromkeys(series.slot(s).zone for s in later):
        event.add("rdate", [_local(invite, s) for s in later if series.slot(s).zone == zone])
    return [event, *(_instance(invite, stamp, s) for s in sessions if series.slot(s).length != length)]


def _instance(invite: Invite, stamp: datetime, moment: datetime) -> Event:
    """One instance of the series as it is held (a REQUEST) or cancelled (a CANCEL), named by its RECURRENCE-ID."""
    event = _common(invite, stamp, moment, invite.series.slot(moment).length)
    event.add("recurrence-id", _local(invite, moment))
    return event
