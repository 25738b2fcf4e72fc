"""When people work, in UTC hours of a given day: matching needs shared working hours across time zones."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from storage.tables import Member

# The time zones the profile and program forms offer first (a member's own zone is added when it is not here).
COMMON_ZONES = (
    "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Manila",
    "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Europe/London",
    "Europe/Amsterdam", "America/New_York", "America/Los_Angeles", "UTC",
)


def available_utc_hours(member: Member, day: date) -> frozenset[int]:
    zone = ZoneInfo(member.timezone)
    span = (member.work_end_hour - member.work_start_hour) % 24 or 24
    hours = set()
    for offset in range(span):
        local = datetime.combine(day, time((member.work_start_hour + offset) % 24), tzinfo=zone)
        hours.add(local.astimezone(ZoneInfo("UTC")).hour)
    return frozenset(hours)
