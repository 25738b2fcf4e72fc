"""Reverse-mentoring care: the junior mentor's private engagement checks about their senior mentee."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import EngagementCheck
from storage.upsert import insert_ignore


class CareRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_engagement(self, *, values: dict[str, Any], now: datetime) -> bool:
        """Insert or update the mentor's answer for a round: True when this call created it. The unique key
        (pair, member, round) arbitrates two submits at once: one inserts, the other updates that row."""
        new_id = await insert_ignore(self._session, EngagementCheck, values={**values, "answered_at": now},
                                     conflict=("pair_id", "member_id", "round"))
        if new_id is not None:
            return True
        existing = await self.engagement(pair_id=values["pair_id"], member_id=values["member_id"],
                                         round=values["round"])
        assert existing is not None
        existing.making_time, existing.engaged, existing.answered_at = values["making_time"], values["engaged"], now
        self._session.add(existing)
        return False

    async def engagement(self, *, pair_id: int, member_id: int, round: int) -> EngagementCheck | None:
        found = await self._session.exec(select(EngagementCheck).where(
            EngagementCheck.pair_id == pair_id, EngagementCheck.member_id == member_id,
            EngagementCheck.round == round))
        return found.first()

    async def engagement_of_program(self, *, workspace_id: int, program_id: int) -> list[EngagementCheck]:
        found = await self._session.exec(select(EngagementCheck).where(
            EngagementCheck.workspace_id == workspace_id, EngagementCheck.program_id == program_id)
            .order_by(col(EngagementCheck.round), col(EngagementCheck.id)))
        return list(found.all())
