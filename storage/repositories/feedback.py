"""Feedback rounds, poll answers, self-assessments and digest snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.feedback import DigestSnapshot, Poll, PollResponse, SelfAssessment
from storage.upsert import insert_ignore


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure_poll(
        self, *, workspace_id: int, program_id: int, kind: str, key: str, opens_at: datetime, closes_at: datetime,
        now: datetime,
    ) -> tuple[Poll, bool]:
        """The program's round with this key, created once however many planners race; True if created now."""
        new_id = await insert_ignore(
            self._session, Poll,
            values={"workspace_id": workspace_id, "program_id": program_id, "kind": kind, "key": key,
                    "opens_at": opens_at, "closes_at": closes_at, "created_at": now},
            conflict=("program_id", "key"),
        )
        found = await self._session.exec(select(Poll).where(Poll.program_id == program_id, Poll.key == key))
        return found.one(), new_id is not None

    async def poll(self, *, workspace_id: int, poll_id: int) -> Poll | None:
        found = await self._session.exec(select(Poll).where(Poll.workspace_id == workspace_id, Poll.id == poll_id))
        return found.first()

    async def polls_of_program(self, *, workspace_id: int, program_id: int) -> list[Poll]:
        found = await self._session.exec(
            select(Poll).where(Poll.workspace_id == workspace_id, Poll.program_id == program_id)
            .order_by(col(Poll.opens_at), col(Poll.id)))
        return list(found.all())

    async def open_polls(self, *, workspace_id: int, program_ids: Sequence[int], now: datetime) -> list[Poll]:
        if not program_ids:
            return []
        found = await self._session.exec(
            select(Poll).where(Poll.workspace_id == workspace_id, col(Poll.program_id).in_(list(program_ids)),
                               col(Poll.opens_at) <= now, col(Poll.closes_at) > now)
            .order_by(col(Poll.opens_at), col(Poll.id)))
        return list(found.all())

    async def save_response(self, *, values: dict[str, Any], now: datetime) -> bool:
        """Insert or update the member's one answer to the poll; True when this call created it.

        The unique (poll, member) constraint arbitrates concurrent double submits: one row, the later values.
        """
        new_id = await insert_ignore(
            self._session, PollResponse, values={**values, "submitted_at": now, "updated_at": now},
            conflict=("poll_id", "member_id"),
        )
        if new_id is not None:
            return True
        existing = await self.response_of(poll_id=values["poll_id"], member_id=values["member_id"])
        assert existing is not None
        for name in ("satisfaction", "recommend", "keep", "improve", "circle_id"):
            setattr(existing, name, values[name])
        existing.updated_at = now
        self._session.add(existing)
        return False

    async def response_of(self, *, poll_id: int, member_id: int) -> PollResponse | None:
        found = await self._session.exec(
            select(PollResponse).where(PollResponse.poll_id == poll_id, PollResponse.member_id == member_id))
        return found.first()

    async def responses(self, *, workspace_id: int, poll_ids: Sequence[int]) -> list[PollResponse]:
        if not poll_ids:
            return []
        found = await self._session.exec(
            select(PollResponse).where(PollResponse.workspace_id == workspace_id,
                                       col(PollResponse.poll_id).in_(list(poll_ids)))
            .order_by(col(PollResponse.id)))
        return list(found.all())

    async def save_assessment(self, *, values: dict[str, Any], now: datetime) -> bool:
        """Insert or update the member's self-assessment for this round; True when this call created it."""
        new_id = await insert_ignore(
            self._session, SelfAssessment, values={**values, "submitted_at": now, "updated_at": now},
            conflict=("poll_id", "member_id"),
        )
        if new_id is not None:
            return True
        existing = await self.assessment_of(poll_id=values["poll_id"], member_id=values["member_id"])
        assert existing is not None
        existing.ratings = list(values["ratings"])
        existing.updated_at = now
        self._session.add(existing)
        return False

    async def assessment_of(self, *, poll_id: int, member_id: int) -> SelfAssessment | None:
        found = await self._session.exec(
            select(SelfAssessment).where(SelfAssessment.poll_id == poll_id, SelfAssessment.member_id == member_id))
        return found.first()

    async def assessments(self, *, workspace_id: int, program_id: int) -> list[SelfAssessment]:
        found = await self._session.exec(
            select(SelfAssessment).where(SelfAssessment.workspace_id == workspace_id,
                                         SelfAssessment.program_id == program_id)
            .order_by(col(SelfAssessment.id)))
        return list(found.all())

    async def snapshot(self, *, program_id: int, week: str) -> DigestSnapshot | None:
        found = await self._session.exec(
            select(DigestSnapshot).where(DigestSnapshot.program_id == program_id, DigestSnapshot.week == week))
        return found.first()

    async def keep_snapshot(
        self, *, workspace_id: int, program_id: int, week: str, figures: dict[str, Any], now: datetime
    ) -> bool:
        """The first digest of a week records its figures; later ones in the same week leave them be."""
        new_id = await insert_ignore(
            self._session, DigestSnapshot,
            values={"workspace_id": workspace_id, "program_id": program_id, "week": week, "figures": figures,
                    "created_at": now},
            conflict=("program_id", "week"),
        )
        return new_id is not None
