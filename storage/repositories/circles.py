"""Circles, circle members and elections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    Election,
    ElectionVote,
    Member,
    Nomination,
    Program,
)
from storage.upsert import insert_ignore


class CircleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: Circle | CircleMember | Election | Nomination | ElectionVote) -> None:
        self._session.add(row)

    async def join(self, *, workspace_id: int, program_id: int, circle_id: int, member_id: int, status: str,
                   why: dict[str, Any], now: datetime) -> bool:
        """True when this call made the membership; False when the member already has a circle in the program."""
        new_id = await insert_ignore(self._session, CircleMember, values={
            "workspace_id": workspace_id, "program_id": program_id, "circle_id": circle_id,
            "member_id": member_id, "status": status, "why": why, "joined_at": now},
            conflict=("program_id", "member_id"))
        return new_id is not None

    async def take_place(self, *, workspace_id: int, program_id: int, circle_id: int, member_id: int,
                         why: dict[str, Any], now: datetime, size_max: int,
                         replacing: CircleMember | None = None) -> bool:
        """Put a member in a circle only while it has fewer than `size_max` active members: True when this call
        placed them. The program's circle rows are locked first (PostgreSQL row locks; SQLite's write lock), so
        concurrent placements queue and each counts the places the others took. `replacing` is the member's own
        earlier row in this program (left, waitlisted, or in another circle), reused only if nobody changed it
        meanwhile; without it, a row that exists means they were placed already (a concurrent twin)."""
        circles = Circle.__table__  # type: ignore[attr-defined]
        await self._session.exec(update(circles).where(circles.c.program_id == program_id)
                                 .values(capacity=circles.c.capacity))
        taken = (await self._session.exec(select(func.count()).select_from(CircleMember).where(
            CircleMember.circle_id == circle_id, CircleMember.status == CircleMemberStatus.ACTIVE))).one()
        if int(taken) >= size_max:
            return False
        if replacing is None:
            return await self.join(workspace_id=workspace_id, program_id=program_id, circle_id=circle_id,
                                   member_id=member_id, status=CircleMemberStatus.ACTIVE, why=why, now=now)
        rows = CircleMember.__table__  # type: ignore[attr-defined]
        changed = await self._session.exec(update(rows).where(
            rows.c.id == replacing.id, rows.c.circle_id == replacing.circle_id, rows.c.status == replacing.status,
        ).values(circle_id=circle_id, status=CircleMemberStatus.ACTIVE, why=why, joined_at=now, left_at=None,
                 left_reason=None))
        if changed.rowcount != 1:
            return False
        await self._session.refresh(replacing)
        return True

    async def placed_count(self, *, program_id: int) -> tuple[int, int]:
        """(active members of the program's active circles, its active circles): two counts the circles planner
        reads on every tick before looking closer at who waits for a place."""
        members = await self._session.exec(
            select(func.count()).select_from(CircleMember).join(Circle, col(Circle.id) == CircleMember.circle_id)
            .where(CircleMember.program_id == program_id, CircleMember.status == CircleMemberStatus.ACTIVE,
                   Circle.status == CircleStatus.ACTIVE))
        circles = await self._session.exec(select(func.count()).select_from(Circle).where(
            Circle.program_id == program_id, Circle.status == CircleStatus.ACTIVE))
        return int(members.one()), int(circles.one())

    async def of_program_members(self, *, workspace_id: int, program_id: int) -> list[CircleMember]:
        """Every circle membership of a program, whatever its status: who is placed, who left, who waits."""
        found = await self._session.exec(
            select(CircleMember).where(CircleMember.workspace_id == workspace_id,
                                       CircleMember.program_id == program_id).order_by(col(CircleMember.id)))
        return list(found.all())

    async def active_members_of_program(self, *, workspace_id: int, program_id: int) -> list[Member]:
        """The members of every active membership of a program's circles, in one query (the planners' batch load)."""
        found = await self._session.exec(
            select(Member).join(CircleMember, col(CircleMember.member_id) == Member.id).where(
                CircleMember.workspace_id == workspace_id, CircleMember.program_id == program_id,
                CircleMember.status == CircleMemberStatus.ACTIVE))
        return list(found.all())

    async def nominate(self, *, workspace_id: int, election_id: int, nominee_member_id: int,
                       nominated_by_member_id: int, now: datetime) -> bool:
        """True when this call nominated them; False when they already stand in this election."""
        new_id = await insert_ignore(self._session, Nomination, values={
            "workspace_id": workspace_id, "election_id": election_id, "nominee_member_id": nominee_member_id,
            "nominated_by_member_id": nominated_by_member_id, "declined": False, "created_at": now},
            conflict=("election_id", "nominee_member_id"))
        return new_id is not None

    async def cast_vote(self, *, workspace_id: int, election_id: int, voter_member_id: int, nominee_member_id: int,
                        now: datetime) -> bool:
        """True when this is the voter's first vote in the election; False when they had voted already."""
        new_id = await insert_ignore(self._session, ElectionVote, values={
            "workspace_id": workspace_id, "election_id": election_id, "voter_member_id": voter_member_id,
            "nominee_member_id": nominee_member_id, "created_at": now}, conflict=("election_id", "voter_member_id"))
        return new_id is not None

    async def of_program(self, *, workspace_id: int, program_id: int) -> list[Circle]:
        found = await self._session.exec(
            select(Circle).where(Circle.workspace_id == workspace_id, Circle.program_id == program_id)
            .order_by(col(Circle.id)))
        return list(found.all())

    async def get(self, *, workspace_id: int, circle_id: int) -> Circle | None:
        found = await self._session.exec(
            select(Circle).where(Circle.workspace_id == workspace_id, Circle.id == circle_id))
        return found.first()

    async def of_theme(self, *, theme_id: int) -> list[Circle]:
        found = await self._session.exec(select(Circle).where(Circle.theme_id == theme_id).order_by(col(Circle.id)))
        return list(found.all())

    async def member_ids_ever(self, *, circle_id: int) -> set[int]:
        """Everyone who was ever in the circle, whatever their status now."""
        found = await self._session.exec(select(CircleMember.member_id).where(CircleMember.circle_id == circle_id))
        return set(found.all())

    async def by_space(self, *, workspace_id: int, space: str) -> Circle | None:
        found = await self._session.exec(
            select(Circle).where(Circle.workspace_id == workspace_id, Circle.space == space))
        return found.first()

    async def circle_of_actor(self, *, workspace_id: int, member_id: int,
                              space: str | None) -> tuple[Circle, Program] | None:
        """The circle a command is about: the one whose space it was typed in, else the member's latest active
        membership in a program that is not closed."""
        if space is not None:
            circle = await self.by_space(workspace_id=workspace_id, space=space)
            if circle is not None:
                program = await self._program(workspace_id=workspace_id, program_id=circle.program_id)
                assert program is not None
                return circle, program
        for membership in reversed(await self.membership_of(workspace_id=workspace_id, member_id=member_id)):
            if membership.status != CircleMemberStatus.ACTIVE:
                continue
            found = await self.get(workspace_id=workspace_id, circle_id=membership.circle_id)
            program = await self._program(workspace_id=workspace_id, program_id=membership.program_id)
            if found is not None and program is not None and program.state != "closed":
                return found, program
        return None

    async def _program(self, *, workspace_id: int, program_id: int) -> Program | None:
        found = await self._session.exec(
            select(Program).where(Program.workspace_id == workspace_id, Program.id == program_id))
        return found.first()

    async def memberships(
        self, *, circle_id: int, statuses: Sequence[str] = (CircleMemberStatus.ACTIVE,)
    ) -> list[CircleMember]:
        found = await self._session.exec(
            select(CircleMember)
            .where(CircleMember.circle_id == circle_id, col(CircleMember.status).in_(list(statuses)))
            .order_by(col(CircleMember.id)))
        return list(found.all())

    async def membership_of(
        self, *, workspace_id: int, member_id: int, program_id: int | None = None
    ) -> list[CircleMember]:
        query = select(CircleMember).where(CircleMember.workspace_id == workspace_id,
                                           CircleMember.member_id == member_id)
        if program_id is not None:
            query = query.where(CircleMember.program_id == program_id)
        found = await self._session.exec(query.order_by(col(CircleMember.id)))
        return list(found.all())

    async def past_pairs(self, *, workspace_id: int, exclude_program_id: int) -> set[frozenset[int]]:
        """Members who shared a circle in another program: formation avoids putting them together again."""
        found = await self._session.exec(
            select(CircleMember.circle_id, CircleMember.member_id).where(
                CircleMember.workspace_id == workspace_id, CircleMember.program_id != exclude_program_id))
        by_circle: dict[int, list[int]] = {}
        for circle_id, member_id in found.all():
            by_circle.setdefault(circle_id, []).append(member_id)
        return {frozenset((a, b)) for ms in by_circle.values() for i, a in enumerate(ms) for b in ms[i + 1:]}

    async def elections(self, *, circle_id: int) -> list[Election]:
        found = await self._session.exec(
            select(Election).where(Election.circle_id == circle_id).order_by(col(Election.round)))
        return list(found.all())

    async def election(self, *, workspace_id: int, election_id: int) -> Election | None:
        found = await self._session.exec(
            select(Election).where(Election.workspace_id == workspace_id, Election.id == election_id))
        return found.first()

    async def open_elections(self) -> list[Election]:
        found = await self._session.exec(
            select(Election).where(col(Election.status).in_(["nominating", "voting"])).order_by(col(Election.id)))
        return list(found.all())

    async def nominations(self, *, election_id: int) -> list[Nomination]:
        found = await self._session.exec(
            select(Nomination).where(Nomination.election_id == election_id).order_by(col(Nomination.id)))
        return list(found.all())

    async def election_votes(self, *, election_id: int) -> list[ElectionVote]:
        found = await self._session.exec(
            select(ElectionVote).where(ElectionVote.election_id == election_id).order_by(col(ElectionVote.id)))
        return list(found.all())
