"""When a pair meets, in words: its slot in each reader's own zone, and its next meeting.

Every pair has its own timetable (bot/kernel/calendar.group_timetable): chosen inside both sides' working hours at
formation, or agreed later. Whatever states a pair's meeting time reads it here, never the program's slot.
"""

from __future__ import annotations

from datetime import datetime

from bot.kernel.calendar import closing_start, group_timetable, session_time
from bot.kernel.i18n import Translator, format_moment, zone_label
from bot.kernel.timetable import Timetable
from bot.sessions.timing import pair_meetings, zone
from storage.tables import Member, Pair, Program


def member_zone(member: Member, program: Program) -> str:
    return zone(member.timezone, fallback=program.timezone).key


def reader_zones(program: Program, pair: Pair, members: list[Member]) -> list[str]:
    """The zone the pair's meetings are set in first, then each side's own zone when it differs."""
    own = group_timetable(program, pair)
    found = [own.timezone]
    for member in members:
        name = member_zone(member, program)
        if name not in found:
            found.append(name)
    return found


def held_meetings(program: Program, pair: Pair) -> tuple[Timetable, list[int]]:
    """The pair's timetable and the meetings of it that are held (after it was formed, before the program closes)."""
    own = group_timetable(program, pair)
    end = closing_start(program)
    return own, [i for i in pair_meetings(pair, own) if session_time(own, i) < end]


def slot_text(t: Translator, moment: datetime, zone_name: str) -> str:
    """'Tuesday at 16:00 WIB': the weekday and time of `moment` where the reader is, the zone named as every date
    names it (bot.kernel.i18n.zone_label)."""
    local = moment.astimezone(zone(zone_name))
    return t("pairs.slot", weekday=t(f"weekday.{local.weekday()}"), time=local.strftime("%H:%M"),
             zone=zone_label(moment, zone(zone_name).key))


def meets_line(t: Translator, program: Program, pair: Pair, zones: list[str], *, now: datetime,
               key: str = "pairs.meets") -> str | None:
    """'When you meet: Tuesday at 16:00 (Asia/Jakarta) · Tuesday at 09:00 (Europe/London), every week. Next
    meeting: ...', from the pair's next meeting on, a zone per reader; None when it has none left."""
    own, meetings = held_meetings(program, pair)
    upcoming = [i for i in meetings if session_time(own, i) >= now]
    if not upcoming:
        return None
    index = upcoming[0]
    moment = session_time(own, index)
    return t(key, slots=" · ".join(slot_text(t, moment, name) for name in zones),
             cadence=t(f"pairs.cadence.{own.stretch_for(index).every_weeks}"),
             first=format_moment(moment, timezone=zones[0], locale=t.locale))


def next_meeting(program: Program, pair: Pair, *, now: datetime) -> datetime | None:
    own, meetings = held_meetings(program, pair)
    return next((moment for moment in (session_time(own, i) for i in meetings) if moment >= now), None)


def next_meeting_line(t: Translator, program: Program, pair: Pair, reader: Member, *, now: datetime) -> str | None:
    """`pair info`: the reader's next meeting with their partner, in the reader's own zone."""
    moment = next_meeting(program, pair, now=now)
    if moment is None:
        return None
    return t("pairs.next_meeting", when=format_moment(moment, timezone=member_zone(reader, program),
                                                      locale=t.locale))
