"""The streamed export (digest.export.export_zip) writes the zip `zip_tables(export_tables(...))` wrote, byte for byte,
whatever the number of rows per chunk (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from adapters.bootstrap import App
from bot.digest import export
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import Translator
from storage.tables import CheckIn, Member, PairCheckIn, Program
from tests.digest.test_digest import MONDAY, busy_program
from tests.feedback.support import answer_poll
from tests.helpers import member_id
from tests.pairs.world import make_pair


async def _both(app: App, program: Program, now: datetime) -> tuple[bytes, bytes, dict[str, int]]:
    async with app.uow() as uow:
        tables = await export.export_tables(uow, program, t=Translator("en"), k=3, now=now)
        old = export.zip_tables(tables, folder="f")
    async with app.uow() as uow:
        new, counts = await export.export_zip(uow, program, t=Translator("en"), k=3, now=now, folder="f")
    assert counts == {name: len(rows) for name, (_, rows) in tables.items()}
    return old, new, counts


@pytest.mark.parametrize("chunk", [1, 3, 2000])
async def test_circle_export_is_the_same_zip_streamed(app: App, clock: ManualClock, chunk: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    program = await busy_program(app, clock)
    await answer_poll(app, "U5", 1, satisfaction=4, recommend=8, keep="=cmd", improve="more time")
    async with app.uow() as uow:  # more check-ins than a chunk, in an order the table does not keep
        for session in (5, 3, 4):
            for user in ("U4", "U1", "U3"):
                uow.session.add(CheckIn(workspace_id=1, program_id=program.id or 0, circle_id=1,
                                        member_id=await member_id(app, user), session_index=session, attended=True,
                                        usefulness=3, progress="=1+1", created_at=clock.now(),
                                        updated_at=clock.now()))
        await uow.commit()
    monkeypatch.setattr(export, "CHUNK_ROWS", chunk)
    old, new, counts = await _both(app, program, MONDAY + timedelta(days=7))
    assert counts["checkins.csv"] == 11
    assert new == old


async def test_pair_export_is_the_same_zip_streamed(app: App, clock: ManualClock) -> None:
    pair = await make_pair(app, fmt="one_on_one")
    mentor = await member_id(app, "MENTOR")
    async with app.uow() as uow:
        uow.session.add(PairCheckIn(workspace_id=1, program_id=1, pair_id=pair.id or 0, member_id=mentor,
                                    meeting_index=0, met=True, usefulness=4, progress="x", created_at=clock.now(),
                                    updated_at=clock.now()))
        program = await uow.programs.get(workspace_id=1, program_id=1)
        await uow.commit()
    assert program is not None
    old, new, counts = await _both(app, program, clock.now() + timedelta(days=10))
    assert "pairs.csv" in counts
    assert new == old


async def test_members_are_read_a_chunk_at_a_time(app: App, clock: ManualClock,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The program's people, read MEMBER_CHUNK members per query (issue 18: 10,000 Member objects at once were
    25 MiB of the export's peak), give the same members.csv and circles.csv as one read of all of them."""
    program = await busy_program(app, clock)
    async with app.uow() as uow:
        whole = await export._people(uow, program)
    asked: list[int] = []
    async with app.uow() as uow:
        many = uow.members.many

        async def counted(*, workspace_id: int, member_ids: list[int]) -> list[Member]:
            asked.append(len(member_ids))
            return await many(workspace_id=workspace_id, member_ids=member_ids)

        monkeypatch.setattr(uow.members, "many", counted)
        monkeypatch.setattr(export, "MEMBER_CHUNK", 2)
        chunked = await export._people(uow, program)
    assert sum(asked) == 7 and max(asked) == 2  # U1-U7, two at a time
    assert chunked[:3] == whole[:3]
    assert len(whole[0]) == 7 and whole[0][0][1] == "U1"
