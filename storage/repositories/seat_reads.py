"""What planners read of a program's people every tick, as plain columns (the calendar invites, check-ins).

The planner looks at every seat of every running program on every tick (issue 18: 100,000 members): as ORM objects
that read cost seconds a program; as rows it is one query each. What it queues for the few who need a new
invite still goes through the ordinary repositories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Executable, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Member,
)

CHUNK = 1000  # member ids per IN list


class MemberCard(NamedTuple):
    """A member as an invite needs them: whom to send it to, in which language and zone, and their name."""

    id: int
    external_id: str
    display_name: str
    locale: str | None
    timezone: str
    reachable: bool
    erased: bool

    @property
    def name(self) -> str:
        return self.display_name or self.external_id  # as Member.name


class Place(NamedTuple):
    circle_id: int
    member_id: int
    joined_at: datetime


class SeatReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _rows(self, statement: Executable) -> Sequence[Any]:
        await self._session.flush()  # a Core read does not autoflush as an ORM one does
        connection = await self._session.connection()
        return (await connection.execute(statement)).all()

    async def places(self, *, workspace_id: int, program_id: int) -> list[Place]:
        """Active placements in the program's active circles whose member's enrollment is active."""
        found = await self._rows(
            select(col(CircleMember.circle_id), col(CircleMember.member_id), col(CircleMember.joined_at))
            .join(Circle, col(Circle.id) == CircleMember.circle_id)
            .join(Enrollment, (col(Enrollment.program_id) == CircleMember.program_id)
                  & (col(Enrollment.member_id) == CircleMember.member_id))
            .where(col(CircleMember.workspace_id) == workspace_id, col(CircleMember.program_id) == program_id,
                   col(CircleMember.status) == CircleMemberStatus.ACTIVE, col(Circle.status) == CircleStatus.ACTIVE,
                   col(Enrollment.status) == EnrollmentStatus.ACTIVE)
            .order_by(col(CircleMember.id)))
        return [Place(*row) for row in found]

    async def rosters(self, *, workspace_id: int, program_id: int) -> dict[int, list[tuple[int, datetime]]]:
        """Circle id -> (member id, joined at) of its active memberships: enough to see that a session's DMs were
        all planned without loading the circles' members."""
        found = await self._rows(
            select(col(CircleMember.circle_id), col(CircleMember.member_id), col(CircleMember.joined_at))
            .where(col(CircleMember.workspace_id) == workspace_id, col(CircleMember.program_id) == program_id,
                   col(CircleMember.status) == CircleMemberStatus.ACTIVE))
        rosters: dict[int, list[tuple[int, datetime]]] = {}
        for circle_id, member_id, joined_at in found:
            rosters.setdefault(int(circle_id), []).append((int(member_id), joined_at))
        return rosters

    async def enrolled(self, *, workspace_id: int, program_id: int) -> set[int]:
        """The members whose enrollment in the program is active."""
        found = await self._rows(select(col(Enrollment.member_id)).where(
            col(Enrollment.workspace_id) == workspace_id, col(Enrollment.program_id) == program_id,
            col(Enrollment.status) == EnrollmentStatus.ACTIVE))
        return {int(row[0]) for row in found}

    async def cards(self, *, workspace_id: int, program_id: int, member_ids: Sequence[int]) -> list[MemberCard]:
        """These members: those ever enrolled in the program in one query, any other (a moderator who is not)
        1,000 ids at a time."""
        wanted = set(member_ids)
        enrolled = select(col(Enrollment.member_id)).where(col(Enrollment.program_id) == program_id).scalar_subquery()
        cards = [card for card in await self._cards(workspace_id, col(Member.id).in_(enrolled)) if card.id in wanted]
        rest = sorted(wanted - {card.id for card in cards})
        for start in range(0, len(rest), CHUNK):
            cards += await self._cards(workspace_id, col(Member.id).in_(rest[start:start + CHUNK]))
        return cards

    async def _cards(self, workspace_id: int, which: Any) -> list[MemberCard]:
        found = await self._rows(
            select(col(Member.id), col(Member.external_id), col(Member.display_name), col(Member.locale),
                   col(Member.timezone), col(Member.reachable), col(Member.erased))
            .where(col(Member.workspace_id) == workspace_id, which))
        return [MemberCard(*row) for row in found]
