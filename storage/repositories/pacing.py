"""Reserving a workspace's send slots in the database: one atomic upsert hands out the next stretch of time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, cast, extract, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.pacing import WorkspacePace

UNIX_EPOCH_JULIAN_DAY = 2440587.5


@dataclass(frozen=True)
class Stretch:
    """A reserved stretch of a workspace's time, in the database's clock: [start, start + span), read at `now`."""

    start: float
    now: float


def database_now(dialect: str) -> ColumnElement[float]:
    """The statement's moment in seconds since the epoch, the same for every replica (the database's clock)."""
    if dialect == "postgresql":
        return cast(extract("epoch", func.statement_timestamp()), Float)
    return (func.julianday("now") - UNIX_EPOCH_JULIAN_DAY) * 86400.0  # SQLite: 'now' is fixed per statement


async def reserve(session: AsyncSession, *, platform: str, workspace: str, span: float, pause: float = 0.0) -> Stretch:
    """Take the next `span` seconds of the workspace's sending time, starting no earlier than now + `pause`.

    INSERT … ON CONFLICT DO UPDATE … RETURNING is one statement: the row lock serialises replicas reserving at the
    same moment, so no two stretches overlap. The caller commits.
    """
    table = WorkspacePace.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    now = database_now(dialect)
    greatest = func.greatest if dialect == "postgresql" else func.max  # SQLite's two-argument max is scalar
    statement = (
        module.insert(table).values(platform=platform, workspace=workspace, next_at=now + pause + span)
        .on_conflict_do_update(index_elements=["platform", "workspace"],
                               set_={"next_at": greatest(table.c.next_at, now + pause) + span})
        .returning(table.c.next_at, now)
    )
    row = (await session.exec(statement)).one()
    return Stretch(start=float(row[0]) - span, now=float(row[1]))
