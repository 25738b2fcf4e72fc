"""Running pairs: the prompts each pair has had, and the members' check-ins per meeting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import PairCheckIn, PairPrompt
from storage.upsert import insert_ignore


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
        if not pair_ids:
            return []
        found = await self._session.exec(select(PairCheckIn).where(col(PairCheckIn.pair_id).in_(list(pair_ids)))
                                         .order_by(col(PairCheckIn.pair_id), col(PairCheckIn.meeting_index),
                                                   col(PairCheckIn.id)))
        return list(found.all())
