"""The servers bench/slack_ack.py measures, each run in a child process of its own: Lingkar (bolt, adapter, core and
database) on a SQLite file, a PostgreSQL schema or a seeded database, and a bare bolt app that only acks; with the
mock Slack Web API in the same process. Diagnostics for Lingkar's (environment): BENCH_PROFILE (cProfile to a
file), BENCH_CORE_TIMES (core.handle times and the collector's runs, on stderr), BENCH_CORE_SLOTS and
BENCH_NO_PREPING (experiments: the core's slots, the pool's pre-ping).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

SECRET = "bench-signing-secret"
TEAM = "T1"
USERS = 50
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "")  # set by --postgres, read again in the server processes
# Set by --database-url: a database that is already migrated and seeded (bench/scale.py seed), used as it is.
SEEDED = os.environ.get("BENCH_DATABASE_URL", "")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


# -- the servers (child processes) -------------------------------------------------------------------------------


async def _serve_lingkar(ready: Any, stop: Any, db_dir: str, variant: str) -> None:
    from aiohttp import web
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import storage.tables  # noqa: F401  (every table on the metadata)
    from adapters.bootstrap import bootstrap
    from adapters.server import build_web_app
    from adapters.settings import Settings
    from bot.kernel.events import Actor, Command
    from storage.engine import make_engine
    from tests.slack.mock_slack import TOKEN, MockSlack

    mock = await _mock(MockSlack)
    url, schema = (POSTGRES, f"bench_slack_{os.getpid()}") if POSTGRES else (
        f"sqlite+aiosqlite:///{Path(db_dir) / 'bench.db'}", None)
    if SEEDED:
        url, schema = SEEDED, None
    if schema:
        admin = make_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    if not SEEDED:
        engine = make_engine(url, schema=schema)
        async with engine.begin() as connection:  # the tables as the code has them now (like the tests)
            await connection.run_sync(SQLModel.metadata.create_all)
        await engine.dispose()
    settings = Settings(LINGKAR_DATABASE_URL=url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        LINGKAR_SLACK_API_URL=mock.url)
    lingkar = await bootstrap(settings, migrate=False, schema=schema)
    if os.environ.get("BENCH_CORE_SLOTS"):  # an experiment: Slack events in the core at once
        from adapters.slack import app as slack_app

        for name in ("CORE_SLOTS", "CORE_SLOTS_POSTGRES"):
            if hasattr(slack_app, name):
                setattr(slack_app, name, int(os.environ["BENCH_CORE_SLOTS"]))
    if os.environ.get("BENCH_NO_PREPING"):  # an experiment: no liveness ping (3 round trips) per checkout
        lingkar.engine.pool._pre_ping = False  # type: ignore[attr-defined]
    if variant == "stub-core":  # the adapter alone: the core answers from memory what it answered once
        canned = await lingkar.core.handle(Command(Actor("slack", TEAM, "U0000"), "help"))

        async def from_memory(event: Any) -> Any:
            return canned

        lingkar.core.handle = from_memory  # type: ignore[method-assign]
    timings = _timed(lingkar.core) if os.environ.get("BENCH_CORE_TIMES") else None
    collections = _collections() if timings is not None else None
    await _run(web, build_web_app(lingkar), ready, stop)
    if timings and collections:
        print(f"core.handle ms: n {len(timings)}, p50 {pct(timings, .5):.1f}, p90 {pct(timings, .9):.1f}, "
              f"p99 {pct(timings, .99):.1f}; garbage collections by generation {collections[0]}, "
              f"{collections[1] * 1000:.0f} ms in all", file=sys.stderr)
    await lingkar.close()
    await mock.close()
    if schema:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def _collections() -> list[Any]:
    """Count the cyclic collector's runs per generation and their time (a diagnostic, with BENCH_CORE_TIMES)."""
    import gc

    noted: list[Any] = [[0, 0, 0], 0.0, 0.0]

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            noted[2] = time.perf_counter()
        else:
            noted[0][info["generation"]] += 1
            noted[1] += time.perf_counter() - noted[2]

    gc.callbacks.append(note)
    return noted


def _timed(core: Any) -> list[float]:
    """Wrap core.handle to note how long each call takes (a diagnostic: BENCH_CORE_TIMES=1)."""
    timings: list[float] = []
    handle = core.handle

    async def timed(event: Any) -> Any:
        began = time.perf_counter()
        try:
            return await handle(event)
        finally:
            timings.append(time.perf_counter() - began)

    core.handle = timed
    return timings


async def _serve_bare(ready: Any, stop: Any, default_bolt: bool) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.slack.mock_slack import TOKEN, MockSlack

    mock = await _mock(MockSlack)
    bolt = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=mock.url),
                    process_before_response=not default_bolt)

    @bolt.command("/circle")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    async def endpoint(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", endpoint)
    await _run(web, app, ready, stop)
    await mock.close()


async def _mock(kind: Any) -> Any:
    mock = await kind(team_id=TEAM).start()
    for i in range(USERS):
        mock.add_user(f"U{i:04d}", name=f"Member {i}")
    return mock


async def _run(web: Any, app: Any, ready: Any, stop: Any) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    ready.put(runner.addresses[0][1])
    await asyncio.get_running_loop().run_in_executor(None, stop.wait)
    await runner.cleanup()


def _child(kind: str, ready: Any, stop: Any, db_dir: str) -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            _serve(kind, ready, stop, db_dir)
        finally:
            profiler.disable()
            profiler.dump_stats(f"{profile}.{kind}")
        return
    _serve(kind, ready, stop, db_dir)


def _serve(kind: str, ready: Any, stop: Any, db_dir: str) -> None:
    if kind.startswith("lingkar"):
        asyncio.run(_serve_lingkar(ready, stop, db_dir, variant=kind.removeprefix("lingkar").lstrip("-")))
    else:
        asyncio.run(_serve_bare(ready, stop, default_bolt=kind == "bolt-default"))
