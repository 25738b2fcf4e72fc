"""Fixtures for the scheduler's tests: a seeded database on every backend and a recording platform."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.kernel.clock import ManualClock
from tests.conftest import START, Database, create_schema
from tests.scheduler.support import Recorder, World, open_world


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    await create_schema(database)
    built = await open_world(database, START)
    try:
        yield built
    finally:
        await built.engine.dispose()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def manual() -> ManualClock:
    return ManualClock(START)
