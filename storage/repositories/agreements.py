"""Agreements of circles and pairs, and each member's confirmation of one version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Agreement, AgreementConfirmation, AgreementStatus, Circle, Pair
from storage.upsert import insert_ignore


class AgreementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_group(self, *, workspace_id: int, group: str) -> list[Agreement]:
        """Every version of a group's agreement, oldest first."""
        found = await self._session.exec(select(Agreement).where(
            Agreement.workspace_id == workspace_id, Agreement.group == group).order_by(col(Agreement.version)))
        return list(found.all())

    async def get(self, *, workspace_id: int, agreement_id: int) -> Agreement | None:
        found = await self._session.exec(select(Agreement).where(
            Agreement.workspace_id == workspace_id, Agreement.id == agreement_id))
        return found.first()

    async def groups_of_program(self, *, program_id: int) -> set[str]:
        """Groups of a program that have recorded (proposed or confirmed) an agreement."""
        found = await self._session.exec(select(Agreement.group).where(Agreement.program_id == program_id))
        return set(found.all())

    async def waiting(self, *, program_id: int) -> list[Agreement]:
        """Proposals of a program still waiting for someone's confirmation."""
        found = await self._session.exec(select(Agreement).where(
            Agreement.program_id == program_id, Agreement.status == AgreementStatus.PROPOSED)
            .order_by(col(Agreement.id)))
        return list(found.all())

    async def propose(self, *, values: dict[str, Any]) -> int | None:
        """The new version's id, or None when another proposal took this version number first."""
        return await insert_ignore(self._session, Agreement, values=values, conflict=("group", "version"))

    async def supersede_others(self, *, group: str, keep_id: int, status: str) -> None:
        """Versions of the group in `status` other than `keep_id` become superseded."""
        table = Agreement.__table__  # type: ignore[attr-defined]
        await self._session.exec(update(table).where(
            table.c.group == group, table.c.status == status, table.c.id != keep_id,
        ).values(status=AgreementStatus.SUPERSEDED))

    async def lock(self, *, agreement_id: int) -> None:
        """Take the agreement's row lock (PostgreSQL) or the write lock (SQLite) before counting confirmations, so
        two last confirmations at once queue and the second sees the first."""
        table = Agreement.__table__  # type: ignore[attr-defined]
        await self._session.exec(update(table).where(table.c.id == agreement_id).values(status=table.c.status))

    async def confirm(self, *, workspace_id: int, agreement_id: int, member_id: int, now: datetime) -> bool:
        """True when this call recorded the member's yes; False when it was recorded before."""
        new_id = await insert_ignore(self._session, AgreementConfirmation, values={
            "workspace_id": workspace_id, "agreement_id": agreement_id, "member_id": member_id,
            "confirmed_at": now}, conflict=("agreement_id", "member_id"))
        return new_id is not None

    async def confirmed_by(self, *, agreement_id: int) -> set[int]:
        found = await self._session.exec(select(AgreementConfirmation.member_id).where(
            AgreementConfirmation.agreement_id == agreement_id))
        return set(found.all())

    async def settle(self, *, agreement_id: int, now: datetime) -> bool:
        """Proposed -> confirmed, compared and set: True only for the one call that made it so."""
        table = Agreement.__table__  # type: ignore[attr-defined]
        changed = await self._session.exec(update(table).where(
            table.c.id == agreement_id, table.c.status == AgreementStatus.PROPOSED,
        ).values(status=AgreementStatus.CONFIRMED, decided_at=now))
        return bool(changed.rowcount == 1)

    async def latest_version(self, *, group: str) -> int:
        found = await self._session.exec(select(func.max(Agreement.version)).where(Agreement.group == group))
        return int(found.one() or 0)

    async def pair_by_space(self, *, workspace_id: int, space: str) -> Pair | None:
        """The pair whose space a command was typed in (pairs' own repository has no such lookup)."""
        found = await self._session.exec(select(Pair).where(Pair.workspace_id == workspace_id, Pair.space == space))
        return found.first()

    async def pair(self, *, workspace_id: int, pair_id: int) -> Pair | None:
        found = await self._session.exec(select(Pair).where(Pair.workspace_id == workspace_id, Pair.id == pair_id))
        return found.first()

    async def reread(self, row: Agreement | Circle | Pair) -> None:
        """The row as committed now (after the lock): its status, or the schedule to extend from the latest."""
        await self._session.refresh(row)

    def save(self, group: Circle | Pair) -> None:
        self._session.add(group)
