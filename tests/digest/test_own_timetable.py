"""The digest and the export count each circle's and pair's sessions on its own timetable (SQLite and PostgreSQL):
a circle that agreed Fridays every two weeks while the program says Wednesdays every week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from adapters.bootstrap import App
from bot.digest.export import export_tables
from bot.digest.figures import program_figures
from bot.digest.pair_figures import pair_figures
from bot.kernel.calendar import session_time
from bot.kernel.i18n import Translator
from bot.kernel.timetable import Stretch
from storage.tables import CheckIn, Circle, Pair, Program, SessionLog
from tests.feedback.support import running_program
from tests.helpers import member_id
from tests.pairs.world import make_pair

# The program: Wednesdays 10:00 in Jakarta from 7 January 2026. The agreed slot: Fridays 10:00 every two weeks
# from 9 January (sessions 0, 1, 2 on 9 and 23 January, 6 February).
FRIDAYS = Stretch(start=0, first_day=date(2026, 1, 9), at=time(10, 0), zone="Asia/Jakarta", every_weeks=2)
SATURDAY = datetime(2026, 1, 24, 2, 0, tzinfo=UTC)  # the digest's week: 17-24 January
CIRCLE_A, CIRCLE_B = ["U1", "U2", "U3"], ["U4", "U5", "U6"]


async def circles_on_two_timetables(app: App) -> tuple[Program, Circle]:
    """Circle A meets on Fridays and logged its session 1 (23 January) with two check-ins; circle B meets on the
    program's Wednesdays and logged its session 2 (21 January)."""
    program = await running_program(app, [*CIRCLE_A, *CIRCLE_B], circles=[CIRCLE_A, CIRCLE_B])
    ids = {user: await member_id(app, user) for user in [*CIRCLE_A, *CIRCLE_B]}
    async with app.uow() as uow:
        circle_a, circle_b = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
        circle_a.schedule = [FRIDAYS.to_json()]
        uow.session.add(circle_a)
        for circle, index, came in ((circle_a, 1, CIRCLE_A), (circle_b, 2, CIRCLE_B[:2])):
            uow.session.add(SessionLog(workspace_id=1, program_id=program.id or 0, circle_id=circle.id or 0,
                                       session_index=index, attendee_member_ids=[ids[u] for u in came],
                                       outcomes="", created_at=SATURDAY, updated_at=SATURDAY))
        for user in CIRCLE_A[:2]:
            uow.session.add(CheckIn(workspace_id=1, program_id=program.id or 0, circle_id=circle_a.id or 0,
                                    member_id=ids[user], session_index=1, attended=True, usefulness=4,
                                    created_at=SATURDAY, updated_at=SATURDAY))
        await uow.commit()
        return program, circle_a


async def test_the_digest_counts_a_friday_circle_in_its_own_week(app: App) -> None:
    program, circle_a = await circles_on_two_timetables(app)
    async with app.uow() as uow:
        figures = await program_figures(uow, program, now=SATURDAY, k=3)
    activity = figures.activity
    assert session_time(program, 1) < SATURDAY - timedelta(days=7)  # on the program's slot, session 1 was last week
    assert activity.circles_met == 2  # A's Friday session 1 and B's Wednesday session 2 were both this week
    assert activity.last_session[circle_a.id or 0] == datetime(2026, 1, 23, 3, 0, tzinfo=UTC)
    assert activity.attended_by_week == {2: 3 + 2}  # both in the program's week 2 (from Wednesday 21 January)
    assert activity.checkin_rate == round(2 / 6, 3)  # one session each in the window, three members each
    assert activity.attendance_rate == round(5 / 6, 3)


async def test_the_export_gives_each_circles_session_its_own_time(app: App) -> None:
    program, _ = await circles_on_two_timetables(app)
    async with app.uow() as uow:
        tables = await export_tables(uow, program, t=Translator("en"), k=3, now=SATURDAY)
    _, sessions = tables["sessions.csv"]
    when = {(row[1], row[2]): row[3] for row in sessions}
    assert when == {("Circle A", 2): "2026-01-23T03:00:00+00:00", ("Circle B", 3): "2026-01-21T03:00:00+00:00"}


async def pair_on_fridays(app: App) -> tuple[Program, Pair]:
    pair = await make_pair(app, fmt="reverse", weeks=12)
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
        [stored] = await uow.pairs.of_program(workspace_id=1, program_id=pair.program_id)
        assert program is not None
        stored.schedule = [FRIDAYS.to_json()]
        uow.session.add(stored)
        await uow.commit()
        return program, stored


async def test_a_pair_on_its_own_slot_counts_its_own_meetings(app: App) -> None:
    program, pair = await pair_on_fridays(app)
    now = datetime(2026, 1, 22, 2, 0, tzinfo=UTC)  # three Wednesdays held, one Friday (9 January)
    assert sum(1 for i in range(3) if pair.started_at < session_time(program, i) < now) == 3
    async with app.uow() as uow:
        figures = await pair_figures(uow, program, now=now, k=3)
        tables = await export_tables(uow, program, t=Translator("en"), k=3, now=now)
    assert figures is not None and figures.never_met == 0  # one meeting without an answer is not yet "never met"
    [row] = tables["pairs.csv"][1]
    assert row[7] == 1  # meetings held: the Friday of 9 January only
    later = datetime(2026, 1, 24, 2, 0, tzinfo=UTC)  # the Friday of 23 January has been held too
    async with app.uow() as uow:
        figures = await pair_figures(uow, program, now=later, k=3)
    assert figures is not None and figures.never_met == 1
