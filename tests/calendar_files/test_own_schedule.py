"""The .ics of a group with its own timetable (issue 15 §2/§6): the program's slot until an agreement, the agreed
slot, cadence and length after it, every instance where the group really meets, across a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar

from bot.kernel.calendar import group_timetable, session_times
from bot.kernel.timetable import stretch_from
from bot.sessions.invites import Invite, build_ics, schedule_print, series_of
from storage.tables import Circle, Program

NEW_YORK = ZoneInfo("America/New_York")
STAMP = datetime(2027, 1, 1, tzinfo=UTC)
AGREED = datetime(2027, 1, 21, tzinfo=UTC)  # after sessions 0-2 (Wednesdays 6, 13 and 20 January)


def program() -> Program:
    return Program(id=1, workspace_id=1, name="Growth", slug="growth", format="circles", timezone="Asia/Jakarta",
                   meeting_time="10:00", meeting_weekday=2, start_date=date(2027, 1, 4), weeks=12,
                   rules_duration="1 hour", created_at=STAMP)


def agreed_circle(p: Program, *, at: time = time(9, 0), every: int = 2, minutes: int | None = 45) -> Circle:
    """A circle that agreed, on 21 January, to meet on Fridays at `at` New York time from its next session on."""
    circle = Circle(id=7, workspace_id=1, program_id=1, name="Circle A", created_at=STAMP)
    stretch = stretch_from(group_timetable(p, circle), now=AGREED, weekday=4, at=at, zone="America/New_York",
                           every_weeks=every, minutes=minutes)
    circle.schedule = [stretch.to_json()]
    return circle


def request_of(p: Program, circle: Circle | None) -> bytes:
    series = series_of(p, circle)
    invite = Invite(uid="u-1@lingkar", sequence=1, summary="Circle A", description="d", location="", series=series,
                    sessions=tuple(series.held_after(STAMP)))
    return build_ics(invite, stamp=STAMP)


def occurrences(vevent: Any) -> list[datetime]:
    """Every instance a calendar application shows: the RRULE from DTSTART plus every RDATE, in UTC."""
    found = rruleset()
    found.rrule(rrulestr(vevent["rrule"].to_ical().decode(), dtstart=vevent.decoded("dtstart")))
    listed = vevent.get("rdate", [])
    for prop in listed if isinstance(listed, list) else [listed]:
        for value in prop.dts:
            found.rdate(value.dt)
    return [moment.astimezone(UTC) for moment in found]


def test_an_agreed_slot_shows_every_session_where_it_is_held_across_a_dst_change() -> None:
    p = program()
    circle = agreed_circle(p)
    cal = Calendar.from_ical(request_of(p, circle))
    master, *instances = cal.walk("VEVENT")
    agreed = session_times(group_timetable(p, circle))
    assert agreed[:3] == session_times(p)[:3] and agreed[3] == datetime(2027, 1, 22, 14, 0, tzinfo=UTC)
    assert occurrences(master) == agreed  # the held sessions keep their times, the rest move
    assert master.decoded("dtstart") == agreed[0] and master["dtstart"].params["TZID"] == "Asia/Jakarta"
    assert master["rrule"]["COUNT"] == [3] and master["rrule"]["INTERVAL"] == [1]
    assert master["rdate"].params["TZID"] == "America/New_York"
    local = [moment.astimezone(NEW_YORK) for moment in agreed[3:]]
    assert {(m.weekday(), m.hour, m.minute) for m in local} == {(4, 9, 0)}  # Friday 9:00 in New York, every time
    assert [m.date() for m in local] == [date(2027, 1, 22) + timedelta(weeks=2 * i) for i in range(len(local))]
    assert local[0].date() < date(2027, 3, 14) < local[-1].date()  # New York moves its clocks on 14 March
    assert agreed[3].hour != agreed[-1].hour  # so the UTC hour moves and the local one does not
    assert master.decoded("duration") == timedelta(minutes=45)  # the agreed length
    # The sessions held before the agreement keep the program's hour, each named by its RECURRENCE-ID.
    assert [v.decoded("recurrence-id").astimezone(UTC) for v in instances] == agreed[:3]
    assert {v.decoded("duration") for v in instances} == {timedelta(hours=1)}
    assert {v["uid"] for v in [master, *instances]} == {"u-1@lingkar"}
    assert {v["sequence"] for v in [master, *instances]} == {1}
    assert sorted(tz["TZID"] for tz in cal.walk("VTIMEZONE")) == ["America/New_York", "Asia/Jakarta"]


def test_a_group_without_its_own_schedule_keeps_its_one_rule_and_print() -> None:
    p = program()
    plain = Calendar.from_ical(request_of(p, None))
    [vevent] = plain.walk("VEVENT")
    assert "rdate" not in vevent and occurrences(vevent) == session_times(p)
    circle = Circle(id=7, workspace_id=1, program_id=1, name="Circle A", created_at=STAMP)
    assert request_of(p, circle) == request_of(p, None)
    sessions = series_of(p).held_after(STAMP)
    assert schedule_print(series_of(p, circle), sessions, name="A", location="") == schedule_print(
        series_of(p), sessions, name="A", location="")


def test_the_print_changes_with_the_agreed_time_cadence_or_length() -> None:
    p = program()

    def print_of(circle: Circle) -> str:
        series = series_of(p, circle)
        return schedule_print(series, series.held_after(STAMP), name="A", location="")

    agreed = print_of(agreed_circle(p))
    assert print_of(agreed_circle(p)) == agreed  # the same schedule planned again: the same print
    changes = [print_of(agreed_circle(p, at=time(10, 0))), print_of(agreed_circle(p, every=1)),
               print_of(agreed_circle(p, minutes=30)), print_of(agreed_circle(p, minutes=None))]
    assert len({agreed, *changes}) == 5


def test_an_early_end_cancels_the_lost_sessions_in_their_own_zone() -> None:
    p = program()
    p.closing_started_at = datetime(2027, 2, 10, tzinfo=UTC)
    circle = agreed_circle(p)
    series = series_of(p, circle)
    lost = series.cancelled_after(STAMP)
    assert lost and all(moment >= p.closing_started_at for moment in lost)
    invite = Invite(uid="u-1@lingkar", sequence=2, summary="Circle A", description="d", location="", series=series,
                    sessions=tuple(lost), method="CANCEL")
    cancelled = Calendar.from_ical(build_ics(invite, stamp=STAMP)).walk("VEVENT")
    assert [v.decoded("recurrence-id").astimezone(UTC) for v in cancelled] == lost
    assert {v["recurrence-id"].params["TZID"] for v in cancelled} == {"America/New_York"}
    assert {v.decoded("duration") for v in cancelled} == {timedelta(minutes=45)}
