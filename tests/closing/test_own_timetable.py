"""The closing's attendance and "sessions held" count each circle's and pair's own sessions (both databases): a
group that agreed Fridays every two weeks held fewer sessions than the program's weekly Wednesdays."""

from __future__ import annotations

from datetime import date, time

from adapters.bootstrap import App
from bot.closing.records import program_record
from bot.kernel.calendar import session_count
from bot.kernel.timetable import Stretch
from tests.closing.support import CIRCLE_A, CIRCLE_B, USERS, closing_program
from tests.closing.test_pairs import _pair_program
from tests.helpers import member_id

FRIDAYS = Stretch(start=0, first_day=date(2026, 1, 9), at=time(10, 0), zone="Asia/Jakarta", every_weeks=2)


async def test_a_circle_on_its_own_slot_counts_its_own_sessions(app: App) -> None:
    program = await closing_program(app)
    ids = {user: await member_id(app, user) for user in USERS}
    async with app.uow() as uow:
        circle_a, _ = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
        circle_a.schedule = [FRIDAYS.to_json()]  # 9 January to 20 March: six sessions before the closing
        uow.session.add(circle_a)
        await uow.commit()
        record = await program_record(uow, program, member_ids=list(ids.values()))
    assert session_count(program) == 12
    assert [record.held[ids[u]] for u in CIRCLE_A] == [6, 6, 6]
    # Logs 0-9: only 0-5 were A's sessions; U3's check-in for session 11 names a session A never has.
    assert [record.attended[ids[u]] for u in CIRCLE_A] == [6, 6, 0]
    assert [record.held[ids[u]] for u in CIRCLE_B] == [12, 12, 12]  # circle B keeps the program's slot
    assert [record.attended[ids[u]] for u in CIRCLE_B] == [10, 10, 1]


async def test_a_pair_on_its_own_slot_counts_its_own_meetings(app: App) -> None:
    program = await _pair_program(app)  # four Wednesdays, 7-28 January; the mentor said they met at 0, 1 and 2
    async with app.uow() as uow:
        [pair] = await uow.pairs.of_program(workspace_id=1, program_id=program.id or 0)
        pair.schedule = [FRIDAYS.to_json()]  # 9 and 23 January: the third Friday is after the program's end
        uow.session.add(pair)
        await uow.commit()
        record = await program_record(uow, program, member_ids=[pair.mentor_member_id, pair.mentee_member_id])
    assert record.held == {pair.mentor_member_id: 2, pair.mentee_member_id: 2}
    assert record.attended == {pair.mentor_member_id: 2, pair.mentee_member_id: 2}
    assert record.contributions[pair.mentor_member_id].sessions == 2
