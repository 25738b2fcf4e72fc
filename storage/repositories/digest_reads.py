"""The digest's reads: what it counts, read as columns and counted in the database, never as row objects.

A year of check-ins is ~100 per circle; the digest only needs, per circle and session, how many answered and
whether one said they attended, so the database groups them (issue 18: loading 154k CheckIn objects dominated).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import CheckIn, SessionLog

CHUNK = 1000  # circle ids per IN list: far below SQLite's and asyncpg's limits on bound parameters


class DigestReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def session_attendees(self, *, circle_ids: Sequence[int]) -> dict[int, dict[int, int]]:
        """Circle id -> logged session index -> attendees logged, sessions in order."""
        logs: dict[int, dict[int, int]] = {}
        for ids in _chunks(circle_ids):
            found = await self._session.exec(
                select(col(SessionLog.circle_id), col(SessionLog.session_index),
                           col(SessionLog.attendee_member_ids))
                .where(col(SessionLog.circle_id).in_(ids))
                .order_by(col(SessionLog.circle_id), col(SessionLog.session_index)))
            for circle_id, index, attendees in found.all():
                logs.setdefault(circle_id, {})[index] = len(attendees or [])
        return logs

    async def checkin_counts(self, *, circle_ids: Sequence[int]) -> dict[int, dict[int, tuple[int, bool]]]:
        """Circle id -> session index -> (check-ins, whether any says attended), sessions in order."""
        counts: dict[int, dict[int, tuple[int, bool]]] = {}
        attended = func.max(case((col(CheckIn.attended), 1), else_=0))
        for ids in _chunks(circle_ids):
            found = await self._session.exec(
                select(col(CheckIn.circle_id), col(CheckIn.session_index), func.count(), attended)
                .where(col(CheckIn.circle_id).in_(ids))
                .group_by(col(CheckIn.circle_id), col(CheckIn.session_index))
                .order_by(col(CheckIn.circle_id), col(CheckIn.session_index)))
            for circle_id, index, answers, any_attended in found.all():
                counts.setdefault(circle_id, {})[index] = (int(answers), bool(any_attended))
        return counts


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i:i + CHUNK] for i in range(0, len(unique), CHUNK)]
