"""`lingkar serve`: serves what bootstrap built: one aiohttp server (Slack, Teams, a health check) and the scheduler."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from adapters.bootstrap import App, bootstrap
from adapters.http_guard import Limits, guarded_app, make_runner
from adapters.metrics import METRICS, metrics_handler, request_middleware
from adapters.metrics import ROUTE as METRICS_ROUTE
from adapters.readiness import readiness_problems, refuse_unless_migrated
from adapters.settings import Settings
from adapters.slack import wiring as slack_wiring
from adapters.slack.app import ROUTE as SLACK_ROUTE
from adapters.teams import wiring as teams_wiring
from adapters.teams.http import ROUTE as TEAMS_ROUTE

log = logging.getLogger(__name__)
LINGKAR = web.AppKey("lingkar", App)
PLATFORM_ROUTES = {SLACK_ROUTE: "slack", TEAMS_ROUTE: "teams"}


async def healthz(_: web.Request) -> web.Response:
    """Liveness: the process answers. A database outage must not make an orchestrator restart every replica."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers and is at head, the scheduler ticks; else 503 and the reasons."""
    problems = await readiness_problems(request.app[LINGKAR])
    if problems:
        return web.json_response({"status": "unavailable", "reasons": problems}, status=503)
    return web.json_response({"status": "ready"})


def build_web_app(lingkar: App, *, limits: Limits | None = None) -> web.Application:
    """The routes, behind the HTTP edge's limits (body size, read timeouts, calm 4xx for broken requests)."""
    web_app = guarded_app(limits=limits or Limits())
    web_app[LINGKAR] = lingkar
    web_app[METRICS] = lingkar.metrics
    # First, so that what the HTTP edge refuses (413, 408) is counted too.
    web_app.middlewares.insert(0, request_middleware(lingkar.metrics, platforms=PLATFORM_ROUTES))
    if lingkar.settings.metrics_token:  # else /metrics is not served at all (404)
        web_app.router.add_get(METRICS_ROUTE, metrics_handler(lingkar.metrics, token=lingkar.settings.metrics_token,
                                                              uow_factory=lingkar.services.uow,
                                                              clock=lingkar.services.clock))
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    slack_wiring.install_routes(web_app, lingkar)
    teams_wiring.install_routes(web_app, lingkar)
    return web_app


async def serve(settings: Settings) -> None:
    lingkar = await bootstrap(settings)
    try:
        await refuse_unless_migrated(lingkar)  # SQLite was migrated by bootstrap; PostgreSQL by `lingkar db upgrade`
    except BaseException:
        await lingkar.close()
        raise
    web_app = build_web_app(lingkar)
    runner = make_runner(web_app)  # with the header timeout: slow senders are dropped
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    log.warning("Lingkar is listening on http://%s:%s", settings.host, settings.port)
    scheduler = lingkar.scheduler
    socket_mode = await slack_wiring.start_socket_mode(web_app, settings)  # only when SLACK_APP_TOKEN is set
    try:
        scheduler.start()
        await asyncio.Event().wait()
    finally:
        if socket_mode is not None:
            await socket_mode.close_async()
        await scheduler.shutdown()  # sends in flight finish, the rest goes back to the queue
        await runner.cleanup()
        await lingkar.close()
