"""Running circles: prompts per circle, check-ins, session logs, goals, pause periods."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy import select as columns_of
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import CheckIn, Circle, CirclePrompt, Goal, GoalUpdate, PausePeriod, PromptStatus, SessionLog
from storage.upsert import insert_ignore, insert_ignore_many


class RunningRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Prompts

    async def prompts_of_circle(self, *, circle_id: int) -> list[CirclePrompt]:
        found = await self._session.exec(
            select(CirclePrompt).where(CirclePrompt.circle_id == circle_id).order_by(col(CirclePrompt.id)))
        return list(found.all())

    async def prompts_of_circles(self, *, program_id: int) -> dict[int, list[CirclePrompt]]:
        """`prompts_of_circle` for every circle of a program, in one query (the prompts planner's pass)."""
        found = await self._session.exec(
            select(CirclePrompt).where(CirclePrompt.program_id == program_id).order_by(col(CirclePrompt.id)))
        rows: dict[int, list[CirclePrompt]] = {}
        for row in found.all():
            rows.setdefault(row.circle_id, []).append(row)
        return rows

    async def add_prompt(self, *, values: dict[str, Any]) -> int | None:
        """Insert unless it would repeat a prompt or double-book a session (either unique key): new id or None."""
        table = CirclePrompt.__table__  # type: ignore[attr-defined]
        bind = self._session.bind
        module: Any = postgresql if bind is not None and bind.dialect.name == "postgresql" else sqlite
        # No conflict target: both unique constraints are arbitrated by the database, not by a prior SELECT.
        statement = module.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
        row = (await self._session.exec(statement)).first()
        return None if row is None else int(row[0])

    async def assign_prompt(self, prompt: CirclePrompt) -> None:
        """Save a queued prompt's new session in a savepoint: when a concurrent choice won (a unique key), the
        row is read again and the transaction goes on."""
        try:
            async with self._session.begin_nested():
                self.save(prompt)
        except IntegrityError:
            await self._session.refresh(prompt)

    async def release_prompt(self, *, prompt_row_id: int) -> None:
        """Forget an assigned, never-posted library prompt so it can be chosen again later."""
        await self._session.exec(delete(CirclePrompt).where(col(CirclePrompt.id) == prompt_row_id))

    def save(self, row: CirclePrompt | CheckIn | SessionLog | Goal | GoalUpdate | PausePeriod) -> None:
        self._session.add(row)

    # Check-ins

    async def save_checkin(self, *, values: dict[str, Any], now: datetime) -> bool:
        """Insert or update the member's answer for a session: True when this call created it."""
        new_id = await insert_ignore(self._session, CheckIn, values={**values, "created_at": now, "updated_at": now},
                                     conflict=("circle_id", "member_id", "session_index"))
        if new_id is not None:
            return True
        existing = await self.checkin(circle_id=values["circle_id"], member_id=values["member_id"],
                                      session_index=values["session_index"])
        assert existing is not None
        existing.attended, existing.usefulness = values["attended"], values["usefulness"]
        existing.progress, existing.updated_at = values["progress"], now
        self._session.add(existing)
        return False

    async def checkin(self, *, circle_id: int, member_id: int, session_index: int) -> CheckIn | None:
        found = await self._session.exec(select(CheckIn).where(
            CheckIn.circle_id == circle_id, CheckIn.member_id == member_id, CheckIn.session_index == session_index))
        return found.first()

    async def checkins_of_circle(self, *, circle_id: int) -> list[CheckIn]:
        found = await self._session.exec(
            select(CheckIn).where(CheckIn.circle_id == circle_id).order_by(col(CheckIn.session_index),
                                                                          col(CheckIn.id)))
        return list(found.all())

    async def stream_checkins_of_program(self, *, workspace_id: int, program_id: int,
                                         chunk: int = 5000) -> AsyncIterator[tuple[int, int, int, bool, int, str]]:
        """(circle_id, session_index, member_id, attended, usefulness, progress) of every check-in of the program's
        circles, by circle, session and member, read `chunk` rows at a time (a server-side cursor on PostgreSQL):
        an export of a million check-ins never holds them all (issue 18)."""
        circles = select(Circle.id).where(Circle.workspace_id == workspace_id, Circle.program_id == program_id)
        query = (columns_of(col(CheckIn.circle_id), col(CheckIn.session_index), col(CheckIn.member_id),  # six
                            col(CheckIn.attended), col(CheckIn.usefulness), col(CheckIn.progress))  # > sqlmodel's 4
                 .where(col(CheckIn.circle_id).in_(circles))
                 .order_by(col(CheckIn.circle_id), col(CheckIn.session_index), col(CheckIn.member_id))
                 .execution_options(yield_per=chunk))
        result = await self._session.stream(query)
        async for rows in result.partitions():
            for row in rows:
                yield row[0], row[1], row[2], row[3], row[4], row[5]

    async def logs_of_program(self, *, workspace_id: int, program_id: int) -> list[SessionLog]:
        """Every session log of the program's circles, by circle and session: one query for the export."""
        circles = select(Circle.id).where(Circle.workspace_id == workspace_id, Circle.program_id == program_id)
        found = await self._session.exec(select(SessionLog).where(col(SessionLog.circle_id).in_(circles))
                                         .order_by(col(SessionLog.circle_id), col(SessionLog.session_index)))
        return list(found.all())

    # Session logs

    async def save_log(self, *, values: dict[str, Any], now: datetime) -> bool:
        new_id = await insert_ignore(self._session, SessionLog, values={**values, "created_at": now,
                                                                        "updated_at": now},
                                     conflict=("circle_id", "session_index"))
        if new_id is not None:
            return True
        existing = await self.log(circle_id=values["circle_id"], session_index=values["session_index"])
        assert existing is not None
        existing.attendee_member_ids = list(values["attendee_member_ids"])
        existing.outcomes, existing.updated_at = values["outcomes"], now
        existing.logged_by_member_id = values["logged_by_member_id"]
        self._session.add(existing)
        return False

    async def log(self, *, circle_id: int, session_index: int) -> SessionLog | None:
        found = await self._session.exec(select(SessionLog).where(
            SessionLog.circle_id == circle_id, SessionLog.session_index == session_index))
        return found.first()

    async def logs_of_circle(self, *, circle_id: int) -> list[SessionLog]:
        found = await self._session.exec(
            select(SessionLog).where(SessionLog.circle_id == circle_id).order_by(col(SessionLog.session_index)))
        return list(found.all())

    # Goals

    async def goal(self, *, program_id: int, member_id: int) -> Goal | None:
        found = await self._session.exec(
            select(Goal).where(Goal.program_id == program_id, Goal.member_id == member_id))
        return found.first()

    async def goals_of_member(self, *, workspace_id: int, member_id: int) -> list[Goal]:
        found = await self._session.exec(select(Goal).where(
            Goal.workspace_id == workspace_id, Goal.member_id == member_id).order_by(col(Goal.id)))
        return list(found.all())

    async def save_goal(self, *, values: dict[str, Any], now: datetime) -> bool:
        new_id = await insert_ignore(self._session, Goal, values={**values, "progress": 0, "created_at": now,
                                                                  "updated_at": now},
                                     conflict=("program_id", "member_id"))
        if new_id is not None:
            return True
        existing = await self.goal(program_id=values["program_id"], member_id=values["member_id"])
        assert existing is not None
        for name in ("specific", "measurable", "achievable", "relevant", "due_on"):
            setattr(existing, name, values[name])
        existing.updated_at = now
        self._session.add(existing)
        return False

    async def goal_updates(self, *, goal_id: int, limit: int = 3) -> list[GoalUpdate]:
        found = await self._session.exec(select(GoalUpdate).where(GoalUpdate.goal_id == goal_id)
                                         .order_by(col(GoalUpdate.created_at).desc(), col(GoalUpdate.id).desc())
                                         .limit(limit))
        return list(found.all())

    async def goals_of_members(self, *, program_id: int, member_ids: Sequence[int]) -> dict[int, Goal]:
        """`goal` for many members of one program, by member id, a query per 1,000 members (the digest's)."""
        goals: dict[int, Goal] = {}
        for ids in _chunks(member_ids):
            found = await self._session.exec(select(Goal).where(Goal.program_id == program_id,
                                                                col(Goal.member_id).in_(ids)))
            goals.update({goal.member_id: goal for goal in found.all()})
        return goals

    async def updates_of_goals(self, *, goal_ids: Sequence[int], limit: int) -> dict[int, list[GoalUpdate]]:
        """`goal_updates` for many goals, by goal id, each newest first and at most `limit`."""
        updates: dict[int, list[GoalUpdate]] = {}
        for ids in _chunks(goal_ids):
            found = await self._session.exec(select(GoalUpdate).where(col(GoalUpdate.goal_id).in_(ids)).order_by(
                col(GoalUpdate.created_at).desc(), col(GoalUpdate.id).desc()))
            for update_row in found.all():
                updates.setdefault(update_row.goal_id, []).append(update_row)
        return {goal_id: rows[:limit] for goal_id, rows in updates.items()}

    async def records_of_circles(self, *, circle_ids: Sequence[int]
                                 ) -> tuple[dict[int, list[SessionLog]], dict[int, list[CheckIn]]]:
        """`logs_of_circle` and `checkins_of_circle` for many circles, by circle id, in their orders: two queries per
        1,000 circles instead of two per circle (the digest's)."""
        logs: dict[int, list[SessionLog]] = {}
        checkins: dict[int, list[CheckIn]] = {}
        for ids in _chunks(circle_ids):
            for log in (await self._session.exec(select(SessionLog).where(col(SessionLog.circle_id).in_(ids))
                                                 .order_by(col(SessionLog.session_index)))).all():
                logs.setdefault(log.circle_id, []).append(log)
            for checkin in (await self._session.exec(select(CheckIn).where(col(CheckIn.circle_id).in_(ids))
                                                     .order_by(col(CheckIn.session_index), col(CheckIn.id)))).all():
                checkins.setdefault(checkin.circle_id, []).append(checkin)
        return logs, checkins

    # Pauses

    async def open_pause(self, *, workspace_id: int, member_id: int, today: date) -> PausePeriod | None:
        found = await self._session.exec(select(PausePeriod).where(
            PausePeriod.workspace_id == workspace_id, PausePeriod.member_id == member_id,
            col(PausePeriod.ended_on).is_(None), col(PausePeriod.until) >= today).order_by(col(PausePeriod.id)))
        return found.first()

    async def pauses_of(self, *, workspace_id: int, member_ids: Sequence[int]) -> list[PausePeriod]:
        if not member_ids:
            return []
        found = await self._session.exec(select(PausePeriod).where(
            PausePeriod.workspace_id == workspace_id, col(PausePeriod.member_id).in_(list(member_ids)))
            .order_by(col(PausePeriod.id)))
        return list(found.all())


    # Prompts in bulk (the prompts planner's pass)

    async def add_prompts(self, rows: Sequence[dict[str, Any]]) -> list[tuple[int, int, int | None]]:
        """`add_prompt` for many rows, one INSERT per 1,000: (id, circle_id, session_index) of those inserted now;
        a row that would repeat a prompt or double-book a session (a concurrent choice won) is left out."""
        created = await insert_ignore_many(self._session, CirclePrompt, rows=rows, conflict=None,
                                           returning=("id", "circle_id", "session_index"))
        return [(int(i), int(c), None if s is None else int(s)) for i, c, s in created]

    async def mark_prompts_posted(self, *, prompt_row_ids: Sequence[int]) -> None:
        """Posted: one UPDATE per 1,000 rows. A Core statement: the ORM's would search the session's identity map
        for each; the caller sets `status` on the rows it holds."""
        table = CirclePrompt.__table__  # type: ignore[attr-defined]
        for ids in _chunks(prompt_row_ids):
            await self._session.exec(update(table).where(table.c.id.in_(ids)).values(status=PromptStatus.POSTED))


    async def prompt_values_of_circles(self, *, circle_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
        """`prompts_of_circle` for many circles as plain column values (CirclePrompt's names), one query per
        1,000: a pass reads 100,000s of them, which as ORM or SQLModel objects cost more than everything else."""
        table = CirclePrompt.__table__  # type: ignore[attr-defined]
        rows: dict[int, list[RowMapping]] = {}
        await self._session.flush()  # a Core read does not autoflush as an ORM one does
        connection = await self._session.connection()
        for ids in _chunks(circle_ids):
            found = await connection.execute(columns_of(table).where(table.c.circle_id.in_(ids)).order_by(table.c.id))
            for values in found.mappings().all():
                rows.setdefault(values["circle_id"], []).append(values)
        return rows


def _chunks(ids: Sequence[int], size: int = 1000) -> list[list[int]]:
    """IN lists of at most `size`: far below SQLite's and asyncpg's limits on bound parameters."""
    unique = sorted(set(ids))
    return [unique[i:i + size] for i in range(0, len(unique), size)]
