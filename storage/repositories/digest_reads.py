"""The digest's reads: what it counts, read as columns and counted in the database, never as row objects.

A year of check-ins is ~100 per circle; the digest only needs, per circle and session, how many answered and
whether one said they attended, so the database groups them (issue 18: loading 154k CheckIn objects dominated).
Enrollments and circle memberships are read as the few columns the digest counts with: a 10,000-member program's
20,000 ORM objects took ~1.5 s to build, the columns ~0.1 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Executable, case, func, select
from sqlmodel import col
from sqlmodel import select as select_models
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import CheckIn, CircleMember, CircleMemberStatus, Delivery, Enrollment, Goal, SessionLog

CHUNK = 1000  # circle ids per IN list: far below SQLite's and asyncpg's limits on bound parameters
POLL_KIND = "poll"  # the kind of a poll's invitations (bot/feedback/planner: key "poll:{poll}:{member}")


class EnrollmentRow(NamedTuple):
    """What the digest counts of an enrollment: no profile, no answers."""

    member_id: int
    status: str
    paused_until: date | None
    joined_at: datetime
    left_at: datetime | None


class DigestReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _rows(self, statement: Executable) -> Sequence[Any]:
        """Plain rows through the session's connection (SQLAlchemy Core: no ORM row processing). Pending changes
        are flushed first, as the ORM's autoflush would, so a figure never misses what this unit of work wrote."""
        await self._session.flush()
        connection = await self._session.connection()
        return (await connection.execute(statement)).all()

    async def session_attendees(self, *, circle_ids: Sequence[int]) -> dict[int, dict[int, int]]:
        """Circle id -> logged session index -> attendees logged, sessions in order."""
        logs: dict[int, dict[int, int]] = {}
        for ids in _chunks(circle_ids):
            found = await self._rows(
                select(col(SessionLog.circle_id), col(SessionLog.session_index),
                       col(SessionLog.attendee_member_ids))
                .where(col(SessionLog.circle_id).in_(ids))
                .order_by(col(SessionLog.circle_id), col(SessionLog.session_index)))
            for circle_id, index, attendees in found:
                logs.setdefault(circle_id, {})[index] = len(attendees or [])
        return logs

    async def checkin_counts(self, *, circle_ids: Sequence[int]
                             ) -> tuple[dict[int, dict[int, int]], dict[int, set[int]]]:
        """Circle id -> session index -> check-ins answered (sessions in order), and circle id -> the sessions a
        check-in says the member attended. Built straight into those (no tuple per row kept, rows iterated, not
        listed): 69,000 grouped rows of a 10,000-member program kept as objects made the cyclic GC run over the
        whole heap, 60% of this read's time."""
        answers: dict[int, dict[int, int]] = {}
        attended: dict[int, set[int]] = {}
        any_attended = func.max(case((col(CheckIn.attended), 1), else_=0))
        for ids in _chunks(circle_ids):
            await self._session.flush()
            connection = await self._session.connection()
            found = await connection.execute(
                select(col(CheckIn.circle_id), col(CheckIn.session_index), func.count(), any_attended)
                .where(col(CheckIn.circle_id).in_(ids))
                .group_by(col(CheckIn.circle_id), col(CheckIn.session_index))
                .order_by(col(CheckIn.circle_id), col(CheckIn.session_index)))
            for circle_id, index, count, came in found:
                answers.setdefault(circle_id, {})[index] = int(count)
                if came:
                    attended.setdefault(circle_id, set()).add(index)
        return answers, attended

    async def enrollments(self, *, workspace_id: int, program_id: int) -> list[EnrollmentRow]:
        """Every enrollment of the program, whatever its status, in id order (as `enrollments.of_program`)."""
        found = await self._rows(
            select(col(Enrollment.member_id), col(Enrollment.status), col(Enrollment.paused_until),
                   col(Enrollment.joined_at), col(Enrollment.left_at))
            .where(col(Enrollment.workspace_id) == workspace_id, col(Enrollment.program_id) == program_id)
            .order_by(col(Enrollment.id)))
        return [EnrollmentRow(int(m), str(s), p, j, left) for m, s, p, j, left in found]

    async def active_placements(self, *, workspace_id: int, program_id: int) -> list[tuple[int, int]]:
        """(circle id, member id) of the program's active circle memberships, in id order."""
        found = await self._rows(
            select(col(CircleMember.circle_id), col(CircleMember.member_id))
            .where(col(CircleMember.workspace_id) == workspace_id, col(CircleMember.program_id) == program_id,
                   col(CircleMember.status) == CircleMemberStatus.ACTIVE)
            .order_by(col(CircleMember.id)))
        return [(circle_id, member_id) for circle_id, member_id in found]

    async def goals(self, *, program_id: int) -> list[Goal]:
        """Every goal of the program (one per member and program), in one query: by member ids it was a query per
        1,000 members, 10,000 bound parameters to render for a 10,000-member program."""
        found = await self._session.exec(select_models(Goal).where(col(Goal.program_id) == program_id)
                                         .order_by(col(Goal.id)))
        return list(found.all())

    async def invited(self, *, workspace_id: int, poll_ids: Sequence[int]) -> dict[int, int]:
        """Poll id -> members it was sent to (its invitations' keys start "poll:{id}:"), for several polls in one
        pass. By (workspace, kind) first, through ix_delivery_workspace_id_kind: the key's LIKE alone read every
        delivery (~320 ms of 2.8M rows), and a query per program read the workspace's invitations once each."""
        wanted = sorted(set(poll_ids))
        if not wanted:
            return {}
        counted = [func.sum(case((col(Delivery.key).startswith(f"poll:{poll_id}:", autoescape=True), 1), else_=0))
                   for poll_id in wanted]
        found = await self._rows(select(*counted).select_from(Delivery).where(
            col(Delivery.workspace_id) == workspace_id, col(Delivery.kind) == POLL_KIND))
        return {poll_id: int(count or 0) for poll_id, count in zip(wanted, found[0], strict=True)}


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i:i + CHUNK] for i in range(0, len(unique), CHUNK)]
