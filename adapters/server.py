"""`lingkar serve`: serves what bootstrap built: one aiohttp server (Slack, Teams, a health check) and the scheduler."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from adapters import legal_pages
from adapters import teams as teams_platform
from adapters.bootstrap import App, bootstrap
from adapters.dashboard import app as dashboard_app
from adapters.http_guard import Limits, guarded_app, runner_options
from adapters.metrics import METRICS, metrics_handler, request_middleware
from adapters.metrics import ROUTE as METRICS_ROUTE
from adapters.readiness import readiness_problems, refuse_unless_migrated
from adapters.settings import Settings
from adapters.shutdown import InFlight, Stop, WindDown
from adapters.slack import wiring as slack_wiring
from adapters.slack.app import ROUTE as SLACK_ROUTE

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger(__name__)
LINGKAR = web.AppKey("lingkar", App)
PLATFORM_ROUTES = {SLACK_ROUTE: "slack", teams_platform.ROUTE: "teams"}


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
    legal_pages.install_routes(web_app)  # /privacy and /terms, which the Teams app package links to
    slack_wiring.install_routes(web_app, lingkar)
    teams_platform.install_routes(web_app, lingkar)  # botbuilder only when Teams is on
    dashboard_app.install_routes(web_app, lingkar)  # /admin (docs/dashboard.md)
    return web_app


async def serve(settings: Settings) -> None:
    lingkar = await bootstrap(settings)
    try:
        await refuse_unless_migrated(lingkar)  # SQLite was migrated by bootstrap; PostgreSQL by `lingkar db upgrade`
    except BaseException:
        await lingkar.close()
        raise
    # What start-up built lives as long as the process: keep it out of the cyclic collector's full collections,
    # which would walk it again each time (issue 18: 7 in one `program form` of 10,000 members, 5.4 s of 19 s).
    gc.collect()
    gc.freeze()
    web_app = build_web_app(lingkar)
    in_flight = InFlight()
    web_app.middlewares.insert(0, in_flight.middleware())  # outermost: a request is in flight from its first byte
    # With the header timeout (slow senders are dropped). The grace is waited out before aiohttp's cleanup, which
    # then only cuts what outlived it.
    runner = web.AppRunner(web_app, shutdown_timeout=1.0, **runner_options(web_app))
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    log.warning("Lingkar is listening on http://%s:%s", settings.host, settings.port)
    scheduler = lingkar.scheduler
    socket_mode = await slack_wiring.start_socket_mode(web_app, settings)  # only when SLACK_APP_TOKEN is set
    stop = Stop()
    stop.install()  # SIGTERM, SIGINT
    try:
        if settings.scheduler_enabled:
            scheduler.start()
        else:
            log.warning("LINGKAR_SCHEDULER_ENABLED is false: this replica serves requests only (another one plans "
                        "and sends)")
        await stop.requested.wait()
        await _wind_down(web_app, runner, in_flight, lingkar, socket_mode).run(
            grace=settings.shutdown_grace_seconds, signal_name=stop.signal_name)
        socket_mode = None  # closed by the wind-down
    finally:
        if socket_mode is not None:
            await socket_mode.close_async()
        await scheduler.shutdown()  # sends in flight finish, the rest goes back to the queue
        await runner.cleanup()
        await lingkar.close()
        stop.uninstall()  # only now: a second signal during the cleanup still exits at once


def _wind_down(web_app: web.Application, runner: web.AppRunner, in_flight: InFlight, lingkar: App,
               socket_mode: AsyncSocketModeHandler | None) -> WindDown:
    """What a signal finishes: requests, each platform's background replies, the scheduler's sends."""
    backgrounds: list[set[asyncio.Task[Any]]] = []
    drains: list[Callable[..., Awaitable[int]]] = []
    if slack_wiring.SLACK in web_app:
        slack = web_app[slack_wiring.SLACK]
        backgrounds.append(slack.background.tasks)
        drains.append(slack.background.drain)
    endpoint = teams_platform.endpoint(web_app, lingkar)
    if endpoint is not None:
        teams = endpoint.bot
        backgrounds.append(teams.background)
        drains.append(teams.drain)
    before = [socket_mode.close_async] if socket_mode is not None else []  # Socket Mode: no new events either
    return WindDown(runner=runner, in_flight=in_flight, scheduler=lingkar.scheduler, backgrounds=backgrounds,
                    drains=drains, before=before)
