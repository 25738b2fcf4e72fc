"""How Slack plugs into the server: which routes exist for which settings, and Socket Mode only with its token."""

from __future__ import annotations

from aiohttp import web

from adapters.bootstrap import bootstrap
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.slack.wiring import SLACK, build_messenger, start_socket_mode
from tests.conftest import Database, create_schema


async def routes_for(database: Database, **slack: str) -> tuple[web.Application, list[str]]:
    settings = Settings.model_validate({"LINGKAR_DATABASE_URL": database.url, **slack})
    await create_schema(database)
    lingkar = await bootstrap(settings, migrate=False, schema=database.schema)
    web_app = build_web_app(lingkar)
    await lingkar.close()
    return web_app, [r.resource.canonical for r in web_app.router.routes() if r.resource is not None]


async def test_no_slack_without_a_bot_token(database: Database) -> None:
    assert build_messenger(Settings()) is None
    web_app, routes = await routes_for(database)
    assert "/slack/events" not in routes and SLACK not in web_app
    assert await start_socket_mode(web_app, Settings()) is None


async def test_http_mode_needs_the_signing_secret(database: Database) -> None:
    _, routes = await routes_for(database, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    assert "/slack/events" in routes
    web_app, routes = await routes_for(database, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")
    assert "/slack/events" not in routes  # Socket Mode only: nothing unauthenticated is exposed
    assert web_app[SLACK].bolt is not None
