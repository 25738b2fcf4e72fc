"""Insert-if-absent that the database arbitrates, so concurrent duplicates end as exactly one row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_ignore(
    session: AsyncSession, model: type[SQLModel], *, values: dict[str, Any], conflict: Sequence[str]
) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new id, or None when the row already existed.

    A prior SELECT cannot do this: two requests would both see nothing and both insert.
    """
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(table).values(**values).on_conflict_do_nothing(index_elements=list(conflict))
    ).returning(table.c.id)
    result = await session.exec(statement)
    row = result.first()
    return None if row is None else int(row[0])


async def insert_ignore_many(
    session: AsyncSession, model: type[SQLModel], *, rows: Sequence[dict[str, Any]], conflict: Sequence[str] | None,
    returning: Sequence[str], chunk: int = 1000,
) -> list[tuple[Any, ...]]:
    """`insert_ignore` for many rows, returning the `returning` columns of the rows inserted now (those that
    conflicted return nothing). `conflict` None: any unique key arbitrates. Executed as executemany, which
    SQLAlchemy sends as multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING statements of up to `chunk` rows
    ("insertmanyvalues"), compiled once: a planner's pass queues thousands of rows in a few statements."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_nothing(index_elements=list(conflict) if conflict else None)
    statement = statement.returning(*(table.c[name] for name in returning)).execution_options(
        insertmanyvalues_page_size=chunk)
    await session.flush()  # what the ORM holds first, as `session.exec` would (autoflush)
    result = await (await session.connection()).execute(statement, list(rows))
    return [tuple(row) for row in result.all()]
