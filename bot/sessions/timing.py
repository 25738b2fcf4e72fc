"""When each running-circle item is due and when it goes stale, in the program's and each member's zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kernel.calendar import (
    Timed,
    cadence_weeks,
    next_session,
    session_count,
    session_time,
    session_zone,
    timetable,
)
from storage.tables import Enrollment, Member, Pair, PausePeriod

UTC = ZoneInfo("UTC")
REMINDER_LEAD = timedelta(hours=1)
# Sessions have no recorded length; an hour is the common case and the check-in should follow the meeting.
SESSION_LENGTH = timedelta(hours=1)


def zone(name: str, *, fallback: str = "UTC") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def prompt_due(program: Timed, index: int) -> datetime:
    """The day before the session at the same wall-clock time, so a DST change in between moves nothing."""
    local = session_time(program, index).astimezone(zone(session_zone(program, index)))
    before = datetime.combine(local.date() - timedelta(days=1), local.time(), tzinfo=local.tzinfo)
    return before.astimezone(UTC)


def reminder_due(program: Timed, index: int) -> datetime:
    return session_time(program, index) - REMINDER_LEAD


def session_length_at(program: Timed, index: int) -> timedelta:
    """The agreed length of that session (bot/agreements), else an hour."""
    minutes = timetable(program).stretch_for(index).minutes
    return timedelta(minutes=minutes) if minutes else SESSION_LENGTH


def checkin_due(program: Timed, index: int) -> datetime:
    """When the session is over: a check-in never interrupts a longer agreed meeting."""
    return session_time(program, index) + session_length_at(program, index)


def checkin_closes(program: Timed, index: int) -> datetime:
    """Answers stay editable until the next session starts (the last one: one cadence later)."""
    if index + 1 < session_count(program):
        return session_time(program, index + 1)
    return session_time(program, index) + timedelta(weeks=cadence_weeks(program))


def first_session_from(program: Timed, since: datetime) -> datetime | None:
    """The first session that starts at or after `since`: a member placed late starts with the next one."""
    found = next_session(program, since)
    return found[1] if found is not None else None


def before_assessment_due(first: datetime | None, now: datetime) -> bool:
    """The "before" self-assessment is asked only while the member's first session is still ahead: asked after
    it, the answer is no longer a "before". A member not in a circle or pair yet has no session to miss."""
    return first is None or now < first


def is_pair_meeting(pair: Pair, program: Timed, index: int) -> bool:
    """A session of the pair's schedule (bot/kernel/calendar.group_timetable) is its meeting when it starts after
    the pair was formed."""
    return session_time(program, index) > pair.started_at


def pair_meetings(pair: Pair, program: Timed) -> list[int]:
    return [i for i in range(session_count(program)) if is_pair_meeting(pair, program, i)]


def session_day(program: Timed, index: int) -> date:
    return session_time(program, index).astimezone(zone(session_zone(program, index))).date()


def local_day(member: Member, moment: datetime, *, fallback: str) -> date:
    return moment.astimezone(zone(member.timezone, fallback=fallback)).date()


def in_working_hours(member: Member, moment: datetime, *, fallback: str) -> bool:
    start, end = member.work_start_hour, member.work_end_hour
    hour = moment.astimezone(zone(member.timezone, fallback=fallback)).hour
    if start == end:
        return True  # no hours given: any time
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end  # a night shift across midnight


def working_due(member: Member, moment: datetime, *, fallback: str) -> datetime:
    """`moment`, or the start of the member's next working day when it falls outside their working hours."""
    if in_working_hours(member, moment, fallback=fallback):
        return moment
    tz = zone(member.timezone, fallback=fallback)
    local = moment.astimezone(tz)
    start = datetime.combine(local.date(), time(member.work_start_hour % 24), tzinfo=tz)
    if start <= local:
        start = datetime.combine(local.date() + timedelta(days=1), time(member.work_start_hour % 24), tzinfo=tz)
    return start.astimezone(UTC)


def is_paused(enrollment: Enrollment | None, day: date) -> bool:
    """`pause until D` covers D itself; the member hears from us again the day after."""
    return enrollment is not None and enrollment.paused_until is not None and day <= enrollment.paused_until


def paused_on(periods: list[PausePeriod], day: date) -> bool:
    for period in periods:
        last = period.until
        if period.ended_on is not None:
            last = min(last, period.ended_on - timedelta(days=1))
        if period.starts_on <= day <= last:
            return True
    return False


def format_day(day: date, *, locale: str) -> str:
    """'4 Mar 2026' / '4 Mar 2026' in the reader's language."""
    from babel.dates import format_date

    return format_date(day, "d MMM y", locale={"id": "id_ID"}.get(locale, "en_GB"))


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
