"""Programs and enrollments."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Enrollment, EnrollmentStatus, Program
from storage.upsert import insert_ignore


class ProgramRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, program: Program) -> None:
        self._session.add(program)

    async def get(self, *, workspace_id: int, program_id: int) -> Program | None:
        found = await self._session.exec(
            select(Program).where(Program.workspace_id == workspace_id, Program.id == program_id)
        )
        return found.first()

    async def by_slug(self, *, workspace_id: int, slug: str) -> Program | None:
        found = await self._session.exec(
            select(Program).where(Program.workspace_id == workspace_id, Program.slug == slug)
        )
        return found.first()

    async def in_states(self, *, workspace_id: int, states: tuple[str, ...]) -> list[Program]:
        found = await self._session.exec(
            select(Program)
            .where(Program.workspace_id == workspace_id, col(Program.state).in_(states))
            .order_by(col(Program.id))
        )
        return list(found.all())

    async def all_in(self, *, workspace_id: int) -> list[Program]:
        found = await self._session.exec(
            select(Program).where(Program.workspace_id == workspace_id).order_by(col(Program.id))
        )
        return list(found.all())

    async def running_everywhere(self) -> list[Program]:
        """For the scheduler, which plans for every tenant."""
        return await self.in_states_everywhere(states=("running",))

    async def in_states_everywhere(self, *, states: tuple[str, ...]) -> list[Program]:
        """Every tenant's programs in these states, oldest first."""
        if not states:
            return []
        found = await self._session.exec(
            select(Program).where(col(Program.state).in_(states)).order_by(col(Program.id)))
        return list(found.all())


class EnrollmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, enrollment: Enrollment) -> None:
        self._session.add(enrollment)

    async def enroll(
        self, *, workspace_id: int, program_id: int, member_id: int, now: datetime, role: str | None = None,
        capacity: int = 1,
    ) -> bool:
        """True when this call created the enrollment; False when one already existed (a concurrent twin)."""
        new_id = await insert_ignore(
            self._session,
            Enrollment,
            values={"workspace_id": workspace_id, "program_id": program_id, "member_id": member_id,
                    "status": EnrollmentStatus.ACTIVE, "joined_at": now, "role": role, "capacity": capacity,
                    "avoid_member_ids": []},
            conflict=("program_id", "member_id"),
        )
        return new_id is not None

    async def get(self, *, workspace_id: int, program_id: int, member_id: int) -> Enrollment | None:
        found = await self._session.exec(
            select(Enrollment).where(
                Enrollment.workspace_id == workspace_id,
                Enrollment.program_id == program_id,
                Enrollment.member_id == member_id,
            )
        )
        return found.first()

    async def of_member(self, *, workspace_id: int, member_id: int, active_only: bool = True) -> list[Enrollment]:
        query = select(Enrollment).where(
            Enrollment.workspace_id == workspace_id, Enrollment.member_id == member_id
        )
        if active_only:
            query = query.where(Enrollment.status == EnrollmentStatus.ACTIVE)
        found = await self._session.exec(query.order_by(col(Enrollment.id)))
        return list(found.all())

    async def of_program(self, *, workspace_id: int, program_id: int, active_only: bool = True) -> list[Enrollment]:
        query = select(Enrollment).where(
            Enrollment.workspace_id == workspace_id, Enrollment.program_id == program_id
        )
        if active_only:
            query = query.where(Enrollment.status == EnrollmentStatus.ACTIVE)
        found = await self._session.exec(query.order_by(col(Enrollment.id)))
        return list(found.all())

    async def count_active(self, *, workspace_id: int, program_id: int) -> int:
        found = await self._session.exec(
            select(func.count()).select_from(Enrollment).where(
                Enrollment.workspace_id == workspace_id,
                Enrollment.program_id == program_id,
                Enrollment.status == EnrollmentStatus.ACTIVE,
            )
        )
        return int(found.one())
