"""Running pairs: the prompts each pair has had, and the members' check-ins per meeting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import RowMapping
from sqlalchemy import select as columns_of
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import PairCheckIn, PairPrompt
from storage.upsert import insert_ignore, insert_ignore_many


class PairNote(NamedTuple):
    """A check-in's progress note, without the rest of the row (what an agenda quotes)."""

    pair_id: int
    member_id: int
    meeting_index: int
    progress: str


class PairRunningRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Prompts

    async def prompts_of_pair(self, *, pair_id: int) -> list[PairPrompt]:
        found = await self._session.exec(
            select(PairPrompt).where(PairPrompt.pair_id == pair_id).order_by(col(PairPrompt.meeting_index)))
        return list(found.all())

    async def add_prompt(self, *, values: dict[str, Any]) -> bool:
        """Insert unless it repeats a prompt or double-books a meeting (either unique key): True when inserted."""
        table = PairPrompt.__table__  # type: ignore[attr-defined]
        bind = self._session.bind
        module: Any = postgresql if bind is not None and bind.dialect.name == "postgresql" else sqlite
        # No conflict target: both unique constraints are arbitrated by the database, not by a prior SELECT.
        statement = module.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
        return (await self._session.exec(statement)).first() is not None

    async def prompts_of_pairs(self, *, pair_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
        """`prompts_of_pair` for many pairs as plain column values (PairPrompt's names), by pair id, one query per
        1,000 pairs (the prompt planner's pass: ORM objects for every past meeting would cost more than the rest)."""
        table = PairPrompt.__table__  # type: ignore[attr-defined]
        rows: dict[int, list[RowMapping]] = {}
        await self._session.flush()  # a Core read does not autoflush as an ORM one does
        connection = await self._session.connection()
        for ids in _chunks(pair_ids):
            found = await connection.execute(columns_of(table).where(table.c.pair_id.in_(ids))
                                             .order_by(table.c.pair_id, table.c.meeting_index))
            for values in found.mappings().all():
                rows.setdefault(values["pair_id"], []).append(values)
        return rows

    async def add_prompts(self, rows: Sequence[dict[str, Any]]) -> list[tuple[int, int, int]]:
        """`add_prompt` for many rows, one INSERT per 1,000: (id, pair_id, meeting_index) of those inserted now; a
        row that would repeat a prompt or double-book a meeting (a concurrent choice won) is left out."""
        created = await insert_ignore_many(self._session, PairPrompt, rows=rows, conflict=None,
                                           returning=("id", "pair_id", "meeting_index"))
        return [(int(i), int(p), int(m)) for i, p, m in created]

    # Check-ins

    async def save_checkin(self, *, values: dict[str, Any], now: datetime) -> bool:
        """Insert or update the member's answer for a meeting: True when this call created it."""
        new_id = await insert_ignore(self._session, PairCheckIn,
                                     values={**values, "created_at": now, "updated_at": now},
                                     conflict=("pair_id", "member_id", "meeting_index"))
        if new_id is not None:
            return True
        existing = await self.checkin(pair_id=values["pair_id"], member_id=values["member_id"],
                                      meeting_index=values["meeting_index"])
        assert existing is not None
        existing.met, existing.usefulness = values["met"], values["usefulness"]
        existing.progress, existing.updated_at = values["progress"], now
        self._session.add(existing)
        return False

    async def checkin(self, *, pair_id: int, member_id: int, meeting_index: int) -> PairCheckIn | None:
        found = await self._session.exec(select(PairCheckIn).where(
            PairCheckIn.pair_id == pair_id, PairCheckIn.member_id == member_id,
            PairCheckIn.meeting_index == meeting_index))
        return found.first()

    async def checkins_of_pairs(self, *, pair_ids: Sequence[int]) -> list[PairCheckIn]:
        """Ordered by pair, meeting and id; one query per 1,000 pairs (the chunks follow that order)."""
        checkins: list[PairCheckIn] = []
        for ids in _chunks(pair_ids):
            found = await self._session.exec(select(PairCheckIn).where(col(PairCheckIn.pair_id).in_(ids))
                                             .order_by(col(PairCheckIn.pair_id), col(PairCheckIn.meeting_index),
                                                       col(PairCheckIn.id)))
            checkins += found.all()
        return checkins

    async def notes_of_pairs(self, *, pair_ids: Sequence[int], before: int) -> list[PairNote]:
        """The non-empty progress notes of these pairs' check-ins about meetings before `before`, in
        `checkins_of_pairs`'s order: plain columns, one query per 1,000 pairs (a year of check-ins as ORM rows
        would cost the prompt planner more than the rest of its pass)."""
        table = PairCheckIn.__table__  # type: ignore[attr-defined]
        notes: list[PairNote] = []
        await self._session.flush()  # a Core read does not autoflush as an ORM one does
        connection = await self._session.connection()
        for ids in _chunks(pair_ids):
            found = await connection.execute(
                columns_of(table.c.pair_id, table.c.member_id, table.c.meeting_index, table.c.progress)
                .where(table.c.pair_id.in_(ids), table.c.meeting_index < before, table.c.progress != "")
                .order_by(table.c.pair_id, table.c.meeting_index, table.c.id))
            notes += [PairNote(*row) for row in found.all()]
        return notes


def _chunks(ids: Sequence[int], size: int = 1000) -> list[list[int]]:
    """IN lists of at most `size`: far below SQLite's and asyncpg's limits on bound parameters."""
    unique = sorted(set(ids))
    return [unique[i:i + size] for i in range(0, len(unique), size)]
