"""Shared fixtures: a fresh database per test on SQLite and, when LINGKAR_TEST_DATABASE_URL is set, PostgreSQL.

PostgreSQL tests get their own schema (search_path), so they never see each other's rows. When a
PostgreSQL URL was given and the server cannot be reached, the tests fail: they never skip silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (every table on the metadata)
from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.settings import Settings
from bot.kernel.clock import ManualClock
from storage.engine import make_engine

PG_URL = os.environ.get("LINGKAR_TEST_DATABASE_URL", "")
# Keep a developer's own .env and LINGKAR_* variables out of the tests.
_ISOLATED = {k for k in os.environ if k.startswith(("LINGKAR_", "SLACK_", "Microsoft", "MICROSOFT_"))}


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in _ISOLATED:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env in a fresh temporary directory
    yield


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Database:
    def __init__(self, url: str, schema: str | None) -> None:
        self.url = url
        self.schema = schema


@pytest.fixture
async def database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    if backend == "sqlite":
        yield Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", None)
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # a requested PostgreSQL that is down must fail the run, not skip it
        await admin.dispose()
        pytest.fail(f"PostgreSQL was requested ({PG_URL}) but is unreachable: {error}")
    try:
        yield Database(PG_URL, schema)
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def create_schema(database: Database) -> None:
    """Throwaway test databases use create_all (fast); tests/storage/test_migrations.py checks Alembic matches it."""
    engine = make_engine(database.url, schema=database.schema)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
    finally:
        await engine.dispose()


START = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # a Monday, 09:00 in Jakarta


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def local() -> LocalMessenger:
    return LocalMessenger()


@asynccontextmanager
async def started_app(database: Database, clock: ManualClock, messengers: dict[str, Any],
                      **settings: Any) -> AsyncIterator[App]:
    """Lingkar on a fresh schema of the test database, with fake messengers; `settings` by their env names."""
    await create_schema(database)
    built = await bootstrap(Settings(LINGKAR_DATABASE_URL=database.url, LINGKAR_ADMINS="UADMIN", **settings),
                            clock=clock, messenger_overrides=messengers, migrate=False, schema=database.schema)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def app(database: Database, clock: ManualClock, local: LocalMessenger) -> AsyncIterator[App]:
    async with started_app(database, clock, {"local": local}) as built:
        yield built
