"""The streamed export (digest.export.export_zip) writes the zip `zip_tables(export_tables(...))` wrote, byte for byte,
whatever the number of rows per chunk (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from adapters.bootstrap import App
from bot.digest import export
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import Translator
from storage.tables import CheckIn, PairCheckIn, Program
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
