"""When people work, in UTC hours of a given day: matching needs shared working hours across time zones."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from storage.tables import Member


def available_utc_hours(member: Member, day: date) -> frozenset[int]:
    zone = ZoneInfo(member.timezone)
    span = (member.work_end_hour - member.work_start_hour) % 24 or 24
    hours = set()
    for offset in range(span):
        local = datetime.combine(day, time((member.work_start_hour + offset) % 24), tzinfo=zone)
        hours.add(local.astimezone(ZoneInfo("UTC")).hour)
    return frozenset(hours)
