"""`lingkar serve` as the replica test starts it: the real command, with the clock the test moves and a drain route.

The scenario's time is a ManualClock in the test; each replica reads it from LINGKAR_TEST_CLOCK_FILE, so a command
handled by either replica sees the same moment. POST /_test/drain waits for the work a replica does after its ack
(only in this test entry point, never in `lingkar serve` itself).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

import adapters.server as server
from adapters.bootstrap import App
from adapters.cli import main
from adapters.slack.wiring import SLACK
from adapters.teams.wiring import TEAMS
from bot.kernel.clock import SystemClock

CLOCK_FILE = Path(os.environ["LINGKAR_TEST_CLOCK_FILE"])


def _test_now(_: SystemClock) -> datetime:
    return datetime.fromisoformat(CLOCK_FILE.read_text().strip())


async def _drain(request: web.Request) -> web.Response:
    if SLACK in request.app:
        await request.app[SLACK].background.drain()
    if TEAMS in request.app:
        await request.app[TEAMS].bot.drain()
    return web.json_response({"drained": True})


_build = server.build_web_app


def _build_web_app(lingkar: App, **kwargs: Any) -> web.Application:
    web_app = _build(lingkar, **kwargs)
    web_app.router.add_post("/_test/drain", _drain)
    return web_app


if __name__ == "__main__":
    SystemClock.now = _test_now  # type: ignore[method-assign,assignment]
    server.build_web_app = _build_web_app
    main()
