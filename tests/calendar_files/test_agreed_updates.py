"""An agreed schedule reaches calendars (SQLite and PostgreSQL): the next planning tick sends the group's members,
and only them, an update with a higher SEQUENCE that shows the agreed times, cadence and length."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adapters.bootstrap import App
from bot.kernel.calendar import group_timetable, session_times
from bot.kernel.timetable import stretch_from
from storage.tables import Circle, Pair, Program
from storage.uow import UnitOfWork
from tests.calendar_files.support import events, invites, plan_invites_at
from tests.calendar_files.test_own_schedule import occurrences
from tests.calendar_files.test_planner import CIRCLE_A, CIRCLE_B, FORMED, program_with_circles
from tests.pairs.world import make_pair

NEW_YORK, JAKARTA = ZoneInfo("America/New_York"), ZoneInfo("Asia/Jakarta")
AGREED = datetime(2026, 1, 22, tzinfo=UTC)  # after the sessions of 7, 14 and 21 January; New York's DST: 8 March


async def agree(uow: UnitOfWork, program: Program, group: Circle | Pair, *, weekday: int, at: time, every: int,
                minutes: int) -> list[datetime]:
    """What a confirmed agreement writes: a stretch from the next session on, in New York time. Its sessions."""
    stretch = stretch_from(group_timetable(program, group), now=AGREED, weekday=weekday, at=at,
                           zone="America/New_York", every_weeks=every, minutes=minutes)
    group.schedule = [*group.schedule, stretch.to_json()]
    uow.session.add(group)
    await uow.commit()
    return session_times(group_timetable(program, group))


def master(calendar: Any) -> Any:
    return next(v for v in events(calendar) if "recurrence-id" not in v)


async def test_a_circles_agreed_slot_updates_its_members_invites_only(app: App) -> None:
    program = await program_with_circles(app)
    assert await plan_invites_at(app, FORMED) == 6
    async with app.uow() as uow:
        circle_a = next(c for c in await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
                        if c.name == "Circle A")
        agreed = await agree(uow, program, circle_a, weekday=4, at=time(9, 0), every=2, minutes=30)
    assert await plan_invites_at(app, AGREED) == len(CIRCLE_A)  # circle B's members get nothing new
    assert await plan_invites_at(app, AGREED + timedelta(minutes=5)) == 0
    for user in CIRCLE_B:
        assert len(await invites(app, user=user)) == 1
    [(_, first), (_, update)] = await invites(app, user="U1")
    vevent = master(update)
    assert update["method"] == "REQUEST" and vevent["uid"] == master(first)["uid"]
    assert (master(first)["sequence"], vevent["sequence"]) == (0, 1)
    assert occurrences(vevent) == agreed and agreed[:3] == session_times(program)[:3]
    moved = [moment.astimezone(NEW_YORK) for moment in agreed[3:]]
    assert len(moved) == 5 and {(m.weekday(), m.hour) for m in moved} == {(4, 9)}  # Friday 9:00 in New York
    assert moved[0] < datetime(2026, 3, 8, tzinfo=NEW_YORK) < moved[-1]  # across New York's clock change
    assert vevent.decoded("duration") == timedelta(minutes=30)
    # In the member's zone (Jakarta): the first agreed session is Friday 23 January, 9:00 in New York.
    assert "8 sessions; the schedule changed: from Fri, 23 Jan 2026, 21:00" in str(vevent["description"])
    assert "every two weeks" in str(vevent["description"])
    [_, (_, indonesian)] = await invites(app, user="U2")
    assert "8 sesi; jadwal berubah: mulai Jum, 23 Jan 2026, 21:00 WIB" in str(master(indonesian)["description"])


async def test_a_pairs_agreed_slot_updates_both_sides_in_their_own_zone(app: App) -> None:
    pair = await make_pair(app, fmt="reverse", weeks=12)
    assert await plan_invites_at(app, app.services.clock.now() + timedelta(minutes=1)) == 2
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
        [stored] = await uow.pairs.of_program(workspace_id=1, program_id=pair.program_id)
        assert program is not None
        agreed = await agree(uow, program, stored, weekday=3, at=time(8, 0), every=1, minutes=50)
    assert await plan_invites_at(app, AGREED) == 2
    assert await plan_invites_at(app, AGREED + timedelta(minutes=5)) == 0
    [_, (_, mentee)] = await invites(app, user="MENTEE")
    [_, (_, mentor)] = await invites(app, user="MENTOR")
    for calendar in (mentee, mentor):
        vevent = master(calendar)
        assert vevent["sequence"] == 1 and vevent.decoded("duration") == timedelta(minutes=50)
        assert occurrences(vevent) == [moment for moment in agreed if moment > pair.started_at]
    # Thursday 8:00 in New York is 20:00 in Jakarta until New York moves its clocks, 19:00 after.
    theirs = [moment.astimezone(JAKARTA) for moment in occurrences(master(mentee)) if moment > AGREED]
    assert {m.hour for m in theirs if m < datetime(2026, 3, 8, tzinfo=UTC)} == {20}
    assert {m.hour for m in theirs if m > datetime(2026, 3, 9, tzinfo=UTC)} == {19}
