"""`export <program>` for a pair program: pairs.csv, one row per pair, named as members.csv names people (SQLite and
PostgreSQL); a circle program has none."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from storage.repositories.outbox import file_of
from storage.tables import PairCheckIn, ProgramState
from tests.digest.test_export import _tables
from tests.feedback.support import deliveries
from tests.helpers import make_program, member_id, say, text_of
from tests.pairs.world import make_pair

HEADER = ["pair_id", "mentor", "mentee", "round", "status", "started_at", "ended_at", "meetings", "met", "checkins"]


async def _export(app: App, slug: str) -> dict[str, list[list[str]]]:
    assert "on its way" in text_of(await say(app, "UADMIN", f"export {slug}"))
    sent = file_of((await deliveries(app, kind="file"))[-1])
    assert sent is not None
    return _tables(sent.data)


async def test_pairs_csv_one_row_per_pair_with_meetings_and_checkins(app: App, clock: ManualClock) -> None:
    pair = await make_pair(app, fmt="one_on_one")  # formed Monday 5 Jan; meetings Wednesdays 10:00 Jakarta
    mentor, mentee = await member_id(app, "MENTOR"), await member_id(app, "MENTEE")
    async with app.uow() as uow:
        for who, meeting, met in ((mentor, 0, True), (mentee, 0, True), (mentor, 1, False)):
            uow.session.add(PairCheckIn(workspace_id=1, program_id=1, pair_id=pair.id or 0, member_id=who,
                                        meeting_index=meeting, met=met, usefulness=4, progress="SECRET",
                                        created_at=clock.now(), updated_at=clock.now()))
        await uow.commit()
    clock.advance(timedelta(days=10))  # two meetings held: 7 and 14 Jan
    tables = await _export(app, "leadership-circles")
    assert "pairs.csv" in tables and "circles.csv" in tables
    started = pair.started_at.isoformat()
    assert tables["pairs.csv"] == [HEADER, ["1", "MENTOR", "MENTEE", "1", "active", started, "", "2", "1", "3"]]
    assert "SECRET" not in "".join(",".join(row) for row in tables["pairs.csv"])

    # Ended after a third meeting; a later export counts only the meetings it had. An erased mentee is blank.
    clock.advance(timedelta(days=7))
    async with app.uow() as uow:
        [ended] = await uow.pairs.of_program(workspace_id=1, program_id=1)
        ended.status, ended.ended_at = "ended", clock.now()
        uow.pairs.add(ended)
        erased = await uow.members.get(workspace_id=1, member_id=mentee)
        assert erased is not None
        erased.erased = True
        uow.members.add(erased)
        await uow.commit()
    clock.advance(timedelta(days=14))
    rows = (await _export(app, "leadership-circles"))["pairs.csv"]
    assert rows[1] == ["1", "MENTOR", "", "1", "ended", started, (clock.now() - timedelta(days=14)).isoformat(),
                       "3", "1", "3"]


async def test_a_circle_program_has_no_pairs_csv(app: App) -> None:
    await make_program(app, state=ProgramState.RUNNING)
    tables = await _export(app, "leadership")
    assert "pairs.csv" not in tables and "pair_checkins.csv" not in tables and "circles.csv" in tables
