"""A workspace Lingkar meets for the first time speaks the deployment's default language in its shared spaces."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from tests.conftest import Database, started_app
from tests.helpers import say


@pytest.fixture
async def indonesian_app(database: Database, clock: ManualClock, local: LocalMessenger) -> AsyncIterator[App]:
    async with started_app(database, clock, {"local": local}, LINGKAR_DEFAULT_LOCALE="id") as built:
        yield built


async def _workspace_locale(app: App) -> str:
    async with app.services.uow() as uow:
        workspace = await uow.workspaces.find(platform="local", external_id="W1")
        assert workspace is not None
        return workspace.locale


async def test_a_new_workspace_takes_the_default_language(indonesian_app: App) -> None:
    await say(indonesian_app, "UADMIN", "help", locale=None)
    assert await _workspace_locale(indonesian_app) == "id"


async def test_without_a_default_the_workspace_speaks_english(app: App) -> None:
    await say(app, "UADMIN", "help", locale=None)
    assert await _workspace_locale(app) == "en"
