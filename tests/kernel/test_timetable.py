"""A group's own timetable over the program's (bot/kernel/timetable, calendar.group_timetable) and the slot chosen
inside its members' shared working hours (bot/sessions/slots)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.kernel.calendar import group_timetable, session_count, session_time, session_times
from bot.kernel.timetable import Stretch, stretch_from
from bot.sessions.slots import choose_slot
from bot.sessions.timing import checkin_due
from storage.tables import Cadence, Member, Program

NY = ZoneInfo("America/New_York")


def _program(**values: Any) -> Program:
    return Program(id=1, workspace_id=1, name="p", format="circles", timezone="Asia/Jakarta", meeting_time="10:00",
                   meeting_weekday=2, start_date=date(2027, 1, 4), weeks=12, cadence=Cadence.WEEKLY, **values)


def _member(mid: int, tz: str, start: int = 9, end: int = 17) -> Member:
    return Member(id=mid, workspace_id=1, external_id=f"U{mid}", name=f"m{mid}", timezone=tz,
                  work_start_hour=start, work_end_hour=end)


@dataclass
class _Group:
    schedule: list[dict[str, Any]] = field(default_factory=list)


def test_without_a_schedule_a_group_meets_on_the_programs_slot() -> None:
    program = _program()
    assert session_times(group_timetable(program, _Group())) == session_times(program)
    assert session_count(group_timetable(program, None)) == session_count(program) == 12


def test_a_slot_at_night_for_everyone_moves_into_their_shared_hours_across_a_dst_change() -> None:
    program = _program()  # Wednesday 10:00 Jakarta is Tuesday 22:00 in New York
    choice = choose_slot(program, [_member(1, "America/New_York"), _member(2, "America/New_York")])
    assert choice.stretch is not None and choice.outside == ()
    table = group_timetable(program, _Group(choice.schedule))
    local = [moment.astimezone(NY) for moment in table.times()]
    assert len(local) == 12
    assert all(9 <= moment.hour < 17 for moment in local)  # New York moves its clocks on 14 March 2027
    assert all(moment < table.ends for moment in table.times())


def test_the_programs_slot_is_kept_when_it_fits_and_those_it_cannot_fit_are_named() -> None:
    program = _program()
    jakarta, new_york = _member(1, "Asia/Jakarta"), _member(2, "America/New_York")
    assert choose_slot(program, [jakarta]).stretch is None
    both = choose_slot(program, [jakarta, new_york])  # 09-17 in both zones never overlap
    assert len(both.outside) == 1
    anyone = _member(3, "Europe/London", start=0, end=0)  # no hours given: any time
    assert choose_slot(program, [anyone]).outside == ()


def test_an_agreed_change_keeps_the_sessions_held_and_moves_the_rest() -> None:
    program = _program()
    before = group_timetable(program, _Group())
    now = datetime(2027, 1, 21, tzinfo=UTC)  # after sessions 0-2
    stretch = stretch_from(before, now=now, weekday=4, at=time(9, 0), zone="America/New_York", every_weeks=2,
                           minutes=45)
    assert stretch.start == 3 and stretch.first_day == date(2027, 1, 22)
    after = group_timetable(program, _Group([stretch.to_json()]))
    assert [session_time(after, i) for i in range(3)] == [session_time(before, i) for i in range(3)]
    assert session_time(after, 3) == datetime(2027, 1, 22, 14, 0, tzinfo=UTC)
    assert session_time(after, 4) == datetime(2027, 2, 5, 14, 0, tzinfo=UTC)
    assert all(moment < after.ends for moment in after.times())
    assert after.count() == 8 and after.minutes == 45


def test_a_stored_schedule_is_never_trusted() -> None:
    program = _program()
    junk: list[dict[str, Any]] = [{"from": "x"}, {"from": 0, "first": "2027-13-01", "at": "9", "zone": "Z",
                                                    "every": 1}, {"from": 0, "first": "2027-01-05", "at": "09:00",
                                                                  "zone": "UTC", "every": 3}]
    assert session_times(group_timetable(program, _Group(junk))) == session_times(program)
    assert Stretch.from_json({"from": 1, "first": "2027-01-05", "at": "09:00", "zone": "UTC", "every": 4,
                              "minutes": 2}) is None


def test_a_check_in_waits_for_the_end_of_an_agreed_longer_session() -> None:
    program = _program()
    before = group_timetable(program, _Group())
    now = datetime(2027, 1, 21, tzinfo=UTC)
    long = stretch_from(before, now=now, weekday=4, at=time(9, 0), zone="UTC", every_weeks=1, minutes=90)
    after = group_timetable(program, _Group([long.to_json()]))
    assert checkin_due(after, 2) == session_time(after, 2) + timedelta(hours=1)  # before the agreement: an hour
    assert checkin_due(after, 3) == session_time(after, 3) + timedelta(minutes=90)
