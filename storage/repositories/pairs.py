"""Pairs and pair requests."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Member, Pair, PairRequest, PairRequestStatus, PairStatus
from storage.upsert import insert_ignore


class PairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: Pair | PairRequest) -> None:
        self._session.add(row)

    async def add_request(self, *, workspace_id: int, program_id: int, mentee_member_id: int, mentor_member_id: int,
                          expires_at: datetime, now: datetime) -> int | None:
        """A pending request: its new id, or None when the mentee already asked this mentor in the program."""
        return await insert_ignore(self._session, PairRequest, values={
            "workspace_id": workspace_id, "program_id": program_id, "mentee_member_id": mentee_member_id,
            "mentor_member_id": mentor_member_id, "status": PairRequestStatus.PENDING,
            "expires_at": expires_at, "created_at": now},
            conflict=("program_id", "mentee_member_id", "mentor_member_id"))

    async def of_program(self, *, workspace_id: int, program_id: int, active_only: bool = True) -> list[Pair]:
        query = select(Pair).where(Pair.workspace_id == workspace_id, Pair.program_id == program_id)
        if active_only:
            query = query.where(Pair.status == PairStatus.ACTIVE)
        found = await self._session.exec(query.order_by(col(Pair.id)))
        return list(found.all())

    async def members_of_program(self, *, workspace_id: int, program_id: int, active_only: bool = True) -> list[Member]:
        """Both sides of every pair of a program, in one query (the planners' batch load)."""
        sides = select(Pair.mentor_member_id, Pair.mentee_member_id).where(
            Pair.workspace_id == workspace_id, Pair.program_id == program_id)
        if active_only:
            sides = sides.where(Pair.status == PairStatus.ACTIVE)
        pairs = sides.subquery()
        ids = col(Member.id)
        found = await self._session.exec(select(Member).where(
            Member.workspace_id == workspace_id,
            ids.in_(select(pairs.c.mentor_member_id)) | ids.in_(select(pairs.c.mentee_member_id))))
        return list(found.all())

    async def of_member(self, *, workspace_id: int, member_id: int, active_only: bool = True) -> list[Pair]:
        query = select(Pair).where(Pair.workspace_id == workspace_id).where(
            (col(Pair.mentor_member_id) == member_id) | (col(Pair.mentee_member_id) == member_id))
        if active_only:
            query = query.where(Pair.status == PairStatus.ACTIVE)
        found = await self._session.exec(query.order_by(col(Pair.id)))
        return list(found.all())

    async def history(self, *, workspace_id: int, since: datetime) -> list[Pair]:
        found = await self._session.exec(
            select(Pair).where(Pair.workspace_id == workspace_id, Pair.started_at >= since))
        return list(found.all())

    async def requests_of_mentee(self, *, program_id: int, mentee_member_id: int) -> list[PairRequest]:
        found = await self._session.exec(
            select(PairRequest).where(PairRequest.program_id == program_id,
                                      PairRequest.mentee_member_id == mentee_member_id)
            .order_by(col(PairRequest.id)))
        return list(found.all())

    async def request(self, *, workspace_id: int, request_id: int) -> PairRequest | None:
        found = await self._session.exec(
            select(PairRequest).where(PairRequest.workspace_id == workspace_id, PairRequest.id == request_id))
        return found.first()

    async def pending_requests(self, *, program_id: int) -> list[PairRequest]:
        found = await self._session.exec(
            select(PairRequest).where(PairRequest.program_id == program_id,
                                      PairRequest.status == PairRequestStatus.PENDING)
            .order_by(col(PairRequest.id)))
        return list(found.all())
