"""Alembic owns the schema: upgrading a fresh database yields exactly the tables the models declare."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.tables  # noqa: F401
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import Database


async def test_upgrade_matches_models(database: Database) -> None:
    await upgrade(database.url, schema=database.schema)
    engine = make_engine(database.url, schema=database.schema)

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, SQLModel.metadata))

    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == [], f"run `lingkar db revision -m ...`: {differences}"
