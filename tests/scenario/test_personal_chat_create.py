"""Issue 16 item 2 in the shared scenario: a program created in the admin's 1:1 chat gets a home. On Teams the
chat asks which team channel (among those Lingkar is in) before the form; on Slack the form opens at once, as
before, and `program channel` typed in a channel makes it the program's home. Either way the announcement reaches
the channel's people."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from bot.kernel.clock import ManualClock
from storage.tables import Program
from tests.conftest import Database
from tests.scenario.driver import Driver
from tests.scenario.slack_driver import slack_driver
from tests.scenario.steps import (
    ADMIN,
    CHANNEL,
    EKO,
    PROGRAM_FORM,
    PROGRAM_NAME,
    SLUG,
    Db,
    Fill,
    Press,
    Say,
    Sees,
    Step,
    Tick,
)
from tests.scenario.teams_driver import teams_driver

DRIVERS: dict[str, Callable[..., AbstractAsyncContextManager[Driver]]] = {
    "slack": slack_driver, "teams": teams_driver,
}


async def lives_in_a_channel(driver: Driver) -> None:
    async with driver.app.uow() as uow:
        [program] = await uow.programs.all_in(workspace_id=await driver.workspace_id())
        assert isinstance(program, Program) and program.slug == SLUG
        assert ":channel:" in program.announcement_target, program.announcement_target


CREATED = Sees(ADMIN, (PROGRAM_NAME, "created as a draft"))
ANNOUNCED: list[Step] = [Say(ADMIN, f"program open {SLUG}"), Sees(ADMIN, f"Enrollment for {PROGRAM_NAME} is open"),
                         Tick(), Sees(EKO, (PROGRAM_NAME, "Why: Grow leaders across departments"))]
STEPS: dict[str, list[Step]] = {
    "teams": [
        Say(ADMIN, "program create"),
        Sees(ADMIN, "Which team channel should the new program live in?"),
        Press(ADMIN, "Mentoring"),
        Fill(ADMIN, PROGRAM_FORM),
        Sees(ADMIN, (PROGRAM_NAME, "created as a draft"), never=("no team channel",)),
        Db("the program lives in the channel chosen", lives_in_a_channel),
        *ANNOUNCED,
    ],
    "slack": [
        Say(ADMIN, "program create"),
        Fill(ADMIN, PROGRAM_FORM),
        CREATED,
        Say(ADMIN, f"program channel {SLUG}", where=CHANNEL),
        Sees(ADMIN, f"{PROGRAM_NAME} now lives in"),
        Db("the program lives in the channel it was given", lives_in_a_channel),
        *ANNOUNCED,
    ],
}


@pytest.mark.parametrize("platform", ["slack", "teams"])
async def test_a_program_created_in_a_personal_chat(platform: str, database: Database, clock: ManualClock) -> None:
    async with DRIVERS[platform](database=database, clock=clock) as driver:
        await driver.run(STEPS[platform])
