"""A workspace Lingkar meets for the first time speaks the deployment's default language in its shared spaces."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.settings import Settings
from bot.kernel.clock import ManualClock
from tests.conftest import Database, create_schema
from tests.helpers import say


@pytest.fixture
async def indonesian_app(database: Database, clock: ManualClock, local: LocalMessenger) -> AsyncIterator[App]:
    settings = Settings(LINGKAR_DATABASE_URL=database.url, LINGKAR_ADMINS="UADMIN", LINGKAR_DEFAULT_LOCALE="id")
    await create_schema(database)
    built = await bootstrap(settings, clock=clock, messenger_overrides={"local": local}, migrate=False,
                            schema=database.schema)
    try:
        yield built
    finally:
        await built.close()


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
