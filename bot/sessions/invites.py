"""Calendar invites: a circle's or pair's sessions as one recurring iCalendar event (RFC 5545, methods of RFC 5546).

`series_of` is the one place invites take their times from. Today every group meets on the program-wide schedule
(bot/kernel/calendar); a circle's or pair's own agreed schedule replaces it there and nowhere else.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.kernel.calendar import cadence_weeks, closing_start, session_times
from storage.tables import Circle, Pair, Program

DEFAULT_LENGTH = timedelta(minutes=60)
Method = Literal["REQUEST", "CANCEL"]

_HOURS = ("hours", "hour", "hrs", "hr", "h", "jam")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(hours|hour|hrs|hr|h|jam|minutes|minute|mins|min|menit|m)?\b", re.I)


def session_length(program: Program) -> timedelta:
    """How long a session lasts: the program's `rules_duration` when it reads as one ("45 minutes", "1 jam 30
    menit", "90"), else an hour. Amounts without a unit are minutes; a length outside 5 min-8 h is a typo."""
    text = (program.rules_duration or "").strip()
    found = _AMOUNT.findall(text)
    with_unit = [(amount, unit) for amount, unit in found if unit]
    # A bare number is minutes only when it is all there is: "12 weeks" is how long the program runs, not a session.
    parts = with_unit or (found[:1] if re.fullmatch(r"\d+", text) else [])
    if not parts:
        return DEFAULT_LENGTH
    minutes = sum(float(amount.replace(",", ".")) * (60 if unit.lower() in _HOURS else 1) for amount, unit in parts)
    return timedelta(minutes=round(minutes)) if 5 <= minutes <= 480 else DEFAULT_LENGTH


@dataclass(frozen=True)
class Series:
    """When one circle or pair meets: every session of its schedule, its zone, cadence and length."""

    zone: str
    interval_weeks: int
    duration: timedelta
    sessions: tuple[datetime, ...]  # aware UTC, in order
    cut: datetime  # sessions from here on never happen: the closing start (earlier after `program end`)

    def held_after(self, since: datetime) -> list[datetime]:
        """The sessions of someone who came at `since` (placed in a circle, pair formed) that will be held."""
        return [s for s in self.sessions if since < s < self.cut]

    def cancelled_after(self, since: datetime) -> list[datetime]:
        """Their sessions an early end took away."""
        return [s for s in self.sessions if s > since and s >= self.cut]


def series_of(program: Program, group: Circle | Pair | None = None) -> Series:
    """The group's schedule. `group` is unused until circles and pairs agree their own cadence and slot."""
    del group
    return Series(zone=program.timezone, interval_weeks=cadence_weeks(program), duration=session_length(program),
                  sessions=tuple(session_times(program)), cut=closing_start(program))


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
    return fingerprint(series.zone, series.interval_weeks, series.duration.total_seconds(),
                       sessions[0].isoformat() if sessions else "", len(sessions), name, location)


def build_ics(invite: Invite, *, stamp: datetime) -> bytes:
    """The .ics file: VCALENDAR with METHOD, its VEVENT(s) and the VTIMEZONE of the meeting zone."""
    cal = Calendar()
    cal.add("prodid", "-//Lingkar//Mentoring sessions//EN")
    cal.add("version", "2.0")
    cal.add("method", invite.method)
    cal.add("calscale", "GREGORIAN")
    if invite.method == "REQUEST" or invite.whole:
        cal.add_component(_series_event(invite, stamp))
    else:
        for moment in invite.sessions:  # RFC 5546 3.2.5: each cancelled instance by its RECURRENCE-ID
            cal.add_component(_instance_cancel(invite, stamp, moment))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _local(invite: Invite, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(invite.series.zone))


def _common(invite: Invite, stamp: datetime, start: datetime) -> Event:
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", _local(invite, start))
    event.add("duration", invite.series.duration)
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    if invite.location:
        event.add("location", invite.location)
        if re.match(r"https?://\S+$", invite.location):
            event.add("url", invite.location)
    event.add("status", "CONFIRMED" if invite.method == "REQUEST" else "CANCELLED")
    return event


def _series_event(invite: Invite, stamp: datetime) -> Event:
    first = invite.sessions[0] if invite.sessions else invite.series.sessions[0]
    event = _common(invite, stamp, first)
    count = len(invite.sessions) if invite.sessions else 1
    event.add("rrule", {"FREQ": "WEEKLY", "INTERVAL": invite.series.interval_weeks, "COUNT": count})
    return event


def _instance_cancel(invite: Invite, stamp: datetime, moment: datetime) -> Event:
    event = _common(invite, stamp, moment)
    event.add("recurrence-id", _local(invite, moment))
    return event
