"""What members chose at a program's end ("what next"): recorded once, read by the planners that act on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ClosingChoice
from storage.upsert import insert_ignore


class ClosingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def choose(self, *, workspace_id: int, program_id: int, member_id: int, choice: str, now: datetime,
                     used: bool = False) -> int | None:
        """The new row's id, or None when the choice was there already (a double or concurrent press)."""
        return await insert_ignore(self._session, ClosingChoice, values={
            "workspace_id": workspace_id, "program_id": program_id, "member_id": member_id, "choice": choice,
            "chosen_at": now, "used_at": now if used else None}, conflict=("program_id", "member_id", "choice"))

    async def of_program(self, *, program_id: int, choices: Sequence[str],
                         unused_only: bool = False) -> list[ClosingChoice]:
        """A program's choices of these kinds, oldest first; with unused_only, those not acted on yet."""
        query = select(ClosingChoice).where(ClosingChoice.program_id == program_id,
                                            col(ClosingChoice.choice).in_(list(choices)))
        if unused_only:
            query = query.where(col(ClosingChoice.used_at).is_(None))
        found = await self._session.exec(query.order_by(col(ClosingChoice.id)))
        return list(found.all())

    async def waiting(self, *, workspace_id: int, choices: Sequence[str],
                      exclude_program_id: int) -> list[ClosingChoice]:
        """Choices of these kinds from the workspace's other programs that no program has acted on yet."""
        found = await self._session.exec(select(ClosingChoice).where(
            ClosingChoice.workspace_id == workspace_id, ClosingChoice.program_id != exclude_program_id,
            col(ClosingChoice.choice).in_(list(choices)), col(ClosingChoice.used_at).is_(None),
        ).order_by(col(ClosingChoice.id)))
        return list(found.all())

    async def mark_used(self, *, choice_ids: Sequence[int], now: datetime) -> None:
        """Acted on (added to the space, invited, matched up): planners leave them alone from now on."""
        if not choice_ids:
            return
        table = ClosingChoice.__table__  # type: ignore[attr-defined]
        await self._session.exec(update(table).where(table.c.id.in_(list(choice_ids)), table.c.used_at.is_(None))
                                 .values(used_at=now))
