"""One scenario, from program creation to the digest, on Slack and on Teams (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from bot.clock import ManualClock
from tests.conftest import Database
from tests.scenario.driver import Driver
from tests.scenario.slack_driver import slack_driver
from tests.scenario.steps import CIRCLES_FORMED, SCENARIO, Step
from tests.scenario.teams_driver import teams_driver

DRIVERS: dict[str, Callable[..., AbstractAsyncContextManager[Driver]]] = {
    "slack": slack_driver, "teams": teams_driver,
}

# Bugs the scenario exposes, by (platform, database): the step that shows each one, and what it is.
KNOWN_BUGS: dict[tuple[str, str], list[tuple[Step, str]]] = {
    ("teams", "sqlite"): [
        (CIRCLES_FORMED, "TeamsMessenger.open_space saves the circle thread's reference (ReferenceStore.save, its "
                        "own session) while the core's formation transaction (bot/circle_formation.launch_circle) "
                        "still holds SQLite's write lock: 'database is locked', and the formation rolls back"),
    ],
}


@pytest.mark.parametrize("platform", ["slack", "teams"])
async def test_the_scenario(platform: str, backend: str, database: Database, clock: ManualClock) -> None:
    async with DRIVERS[platform](database=database, clock=clock) as driver:
        await driver.run(SCENARIO, known=KNOWN_BUGS.get((platform, backend), []))
