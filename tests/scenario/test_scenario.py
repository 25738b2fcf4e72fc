"""One scenario, from program creation to the digest, on Slack and on Teams (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from bot.clock import ManualClock
from tests.conftest import Database
from tests.scenario.driver import Driver
from tests.scenario.slack_driver import slack_driver
from tests.scenario.steps import SCENARIO

DRIVERS: dict[str, Callable[..., AbstractAsyncContextManager[Driver]]] = {"slack": slack_driver}


@pytest.mark.parametrize("platform", ["slack"])
async def test_the_scenario(platform: str, database: Database, clock: ManualClock) -> None:
    async with DRIVERS[platform](database=database, clock=clock) as driver:
        await driver.run(SCENARIO)
