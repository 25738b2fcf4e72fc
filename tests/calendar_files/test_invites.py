"""The .ics builder alone: times across a daylight-saving change, the cadence, the length, cancellations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.kernel.calendar import session_time, session_times
from bot.sessions.invites import Invite, build_ics, series_of, session_length
from storage.tables import Program

STAMP = datetime(2026, 2, 1, tzinfo=UTC)


def program(**fields: object) -> Program:
    settings: dict[str, object] = {"workspace_id": 1, "name": "Growth", "slug": "growth",
                                   "start_date": date(2026, 3, 2), "meeting_weekday": 2, "meeting_time": "10:00",
                                   "weeks": 8, "created_at": STAMP, **fields}
    return Program(**settings)


def invite_of(p: Program, **fields: object) -> Invite:
    series = series_of(p)
    values: dict[str, object] = {"uid": "u-1@lingkar", "sequence": 0, "summary": "Circle A", "description": "d",
                                 "location": "https://meet.example/abc", "series": series,
                                 "sessions": tuple(series.held_after(STAMP)), **fields}
    return Invite(**values)  # type: ignore[arg-type]


def occurrences(ics: bytes) -> list[datetime]:
    """Every instance the calendar's RRULE produces, as UTC: what a calendar application will show."""
    vevent = Calendar.from_ical(ics).walk("VEVENT")[0]
    start = vevent.decoded("dtstart")
    rule = rrulestr(vevent["rrule"].to_ical().decode(), dtstart=start)
    return [moment.astimezone(UTC) for moment in rule]


@pytest.mark.parametrize(("zone", "cadence", "change"), [
    ("Europe/London", "weekly", date(2026, 3, 29)), ("America/New_York", "biweekly", date(2026, 3, 8))])
def test_the_10_00_meeting_stays_10_00_local_across_the_change(zone: str, cadence: str, change: date) -> None:
    p = program(timezone=zone, cadence=cadence)
    ics = build_ics(invite_of(p), stamp=STAMP)
    vevent = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert vevent["dtstart"].params["TZID"] == zone and vevent.decoded("dtstart").tzinfo.key == zone
    assert [tz["TZID"] for tz in Calendar.from_ical(ics).walk("VTIMEZONE")] == [zone]
    rule = vevent["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [2 if cadence == "biweekly" else 1]
    assert rule["COUNT"] == [len(session_times(p))]
    shown = occurrences(ics)
    assert shown == session_times(p)  # the same instants as reminders and check-ins use
    local = [moment.astimezone(ZoneInfo(zone)) for moment in shown]
    assert {(m.hour, m.minute) for m in local} == {(10, 0)}
    before = [m for m in shown if m.date() < change]
    after = [m for m in shown if m.date() > change]
    assert before and after and before[0].hour != after[0].hour  # the UTC hour moved, the local one did not
    assert vevent["sequence"] == 0 and vevent["uid"] == "u-1@lingkar" and Calendar.from_ical(ics)["method"] == "REQUEST"
    assert vevent["location"] == vevent["url"] == "https://meet.example/abc"


def test_a_late_joiner_starts_at_their_first_session_and_counts_only_theirs() -> None:
    p = program(timezone="Europe/London")
    joined = session_time(p, 2) + timedelta(minutes=5)
    ics = build_ics(invite_of(p, sessions=tuple(series_of(p).held_after(joined))), stamp=STAMP)
    assert occurrences(ics) == session_times(p)[3:]


@pytest.mark.parametrize(("written", "minutes"), [
    ("45 minutes", 45), ("90", 90), ("1.5 hours", 90), ("1 jam 30 menit", 90), ("", 60), ("as long as needed", 60),
    ("1000 minutes", 60), ("2 hours", 120), ("12 weeks", 60), ("weekly, 12 sessions", 60)])
def test_the_length_comes_from_the_rules_when_it_reads_as_one(written: str, minutes: int) -> None:
    p = program(rules_duration=written)
    assert session_length(p) == timedelta(minutes=minutes)
    vevent = Calendar.from_ical(build_ics(invite_of(p), stamp=STAMP)).walk("VEVENT")[0]
    assert vevent.decoded("duration") == timedelta(minutes=minutes)


def test_cancellations_keep_the_uid_and_name_what_they_cancel() -> None:
    p = program(timezone="America/New_York")
    series = series_of(p)
    whole = Calendar.from_ical(build_ics(invite_of(p, sequence=3, method="CANCEL", whole=True), stamp=STAMP))
    assert whole["method"] == "CANCEL"
    [vevent] = whole.walk("VEVENT")
    assert (vevent["uid"], vevent["sequence"], vevent["status"]) == ("u-1@lingkar", 3, "CANCELLED")
    lost = series.sessions[5:]
    some = Calendar.from_ical(build_ics(invite_of(p, sequence=1, method="CANCEL", sessions=lost), stamp=STAMP))
    cancelled = some.walk("VEVENT")
    assert [v.decoded("recurrence-id").astimezone(UTC) for v in cancelled] == list(lost)
    assert {(v["uid"], v["sequence"], v["status"]) for v in cancelled} == {("u-1@lingkar", 1, "CANCELLED")}
    assert all("rrule" not in v for v in cancelled)
