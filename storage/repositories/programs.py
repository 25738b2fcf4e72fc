"""Programs and enrollments."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, func, select, update
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

    async def lock(self, *, workspace_id: int, program_id: int) -> Program | None:
        """The program, fresh and locked until the transaction ends, so joins that count its seats take turns.
        PostgreSQL: SELECT ... FOR UPDATE. SQLite has one writer at a time: a no-op UPDATE takes the write lock now,
        so what this transaction reads next is what the previous writer committed."""
        bind = self._session.bind
        if bind is None or bind.dialect.name != "postgresql":
            await self._session.exec(
                update(Program).where(col(Program.workspace_id) == workspace_id, col(Program.id) == program_id)
                .values(seats=Program.seats).execution_options(synchronize_session=False))
        query = select(Program).where(Program.workspace_id == workspace_id, Program.id == program_id)
        if bind is not None and bind.dialect.name == "postgresql":
            query = query.with_for_update()
        found = await self._session.exec(query.execution_options(populate_existing=True))
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
        capacity: int = 1, status: str = EnrollmentStatus.ACTIVE,
    ) -> bool:
        """True when this call created the enrollment; False when one already existed (a concurrent twin).
        `status`: active, or waitlisted (the seats are taken) or invited (not a member until they say yes)."""
        new_id = await insert_ignore(
            self._session,
            Enrollment,
            values={"workspace_id": workspace_id, "program_id": program_id, "member_id": member_id,
                    "status": status, "joined_at": now, "role": role, "capacity": capacity,
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

    async def of_member_with_programs(self, *, workspace_id: int, member_id: int) -> list[tuple[Enrollment, Program]]:
        """Every enrollment of the member (any status) with its program, in one query: `status` answers from it."""
        found = await self._session.exec(
            select(Enrollment, Program)
            .join(Program, (col(Program.id) == Enrollment.program_id) & (Program.workspace_id == workspace_id))
            .where(Enrollment.workspace_id == workspace_id, Enrollment.member_id == member_id)
            .order_by(col(Enrollment.id))
        )
        return [(enrollment, program) for enrollment, program in found.all()]

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

    async def waitlist(self, *, workspace_id: int, program_id: int) -> list[Enrollment]:
        """The waitlisted, first come first (joined_at, then id for the same moment)."""
        found = await self._session.exec(
            select(Enrollment).where(
                Enrollment.workspace_id == workspace_id,
                Enrollment.program_id == program_id,
                Enrollment.status == EnrollmentStatus.WAITLISTED,
            ).order_by(col(Enrollment.joined_at), col(Enrollment.id))
        )
        return list(found.all())

    async def status_counts(self, *, workspace_id: int, program_id: int) -> dict[str, int]:
        """How many enrollments of the program are in each status (active, waitlisted, invited, ...)."""
        found = await self._session.exec(
            select(Enrollment.status, func.count()).where(
                Enrollment.workspace_id == workspace_id, Enrollment.program_id == program_id,
            ).group_by(col(Enrollment.status))
        )
        return {str(status): int(count) for status, count in found.all()}
