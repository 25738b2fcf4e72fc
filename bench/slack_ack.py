"""Benchmark the slash command's ack: signed `/circle status|help` against Lingkar's server and a bare bolt app.

Each server runs in its own process on 127.0.0.1 (a free port), with the mock Slack Web API in that process;
this process only signs, sends and times. Lingkar runs on a SQLite file database.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/slack_ack.py` from anywhere

import aiohttp
from slack_sdk.signature import SignatureVerifier

SECRET = "bench-signing-secret"
TEAM = "T1"
USERS = 50
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "")  # set by --postgres, read again in the server processes


# -- the servers (child processes) -------------------------------------------------------------------------------


async def _serve_lingkar(ready: Any, stop: Any, db_dir: str, variant: str) -> None:
    from aiohttp import web
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import storage.tables  # noqa: F401  (every table on the metadata)
    from adapters.bootstrap import bootstrap
    from adapters.server import build_web_app
    from adapters.settings import Settings
    from bot.events import Actor, Command
    from storage.engine import make_engine
    from tests.slack.mock_slack import TOKEN, MockSlack

    mock = await _mock(MockSlack)
    url, schema = (POSTGRES, f"bench_slack_{os.getpid()}") if POSTGRES else (
        f"sqlite+aiosqlite:///{Path(db_dir) / 'bench.db'}", None)
    if schema:
        admin = make_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, schema=schema)
    async with engine.begin() as connection:  # the tables as the code has them now (like the tests)
        await connection.run_sync(SQLModel.metadata.create_all)
    await engine.dispose()
    if variant == "select-first":
        _select_first()
    settings = Settings(LINGKAR_DATABASE_URL=url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        LINGKAR_SLACK_API_URL=mock.url)
    lingkar = await bootstrap(settings, migrate=False, schema=schema)
    if variant == "stub-core":  # the adapter alone: the core answers from memory what it answered once
        canned = await lingkar.core.handle(Command(Actor("slack", TEAM, "U0000"), "help"))

        async def from_memory(event: Any) -> Any:
            return canned

        lingkar.core.handle = from_memory  # type: ignore[method-assign]
    await _run(web, build_web_app(lingkar), ready, stop)
    await lingkar.close()
    await mock.close()
    if schema:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def _select_first() -> None:
    """EXPERIMENT, not Lingkar's code: the core's get_or_create of workspace and member SELECTs first and only
    INSERTs (ON CONFLICT DO NOTHING, still race-safe) when the row is missing. Today every event INSERTs, and on
    SQLite an INSERT takes the single write lock even when it conflicts. Measures the change proposed to the core."""
    from sqlmodel import select

    from storage.repositories import tenancy
    from storage.tables import Member, Workspace

    insert_workspace = tenancy.WorkspaceRepository.get_or_create
    insert_member = tenancy.MemberRepository.get_or_create

    async def workspace(self: Any, *, platform: str, external_id: str, now: Any) -> Any:
        found = (await self._session.exec(select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id))).first()
        return found or await insert_workspace(self, platform=platform, external_id=external_id, now=now)

    async def member(self: Any, *, workspace_id: int, external_id: str, now: Any, defaults: Any = None) -> Any:
        found = (await self._session.exec(select(Member).where(
            Member.workspace_id == workspace_id, Member.external_id == external_id))).first()
        return found or await insert_member(self, workspace_id=workspace_id, external_id=external_id, now=now,
                                            defaults=defaults)

    tenancy.WorkspaceRepository.get_or_create = workspace  # type: ignore[method-assign]
    tenancy.MemberRepository.get_or_create = member  # type: ignore[method-assign]


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
    if kind.startswith("lingkar"):
        asyncio.run(_serve_lingkar(ready, stop, db_dir, variant=kind.removeprefix("lingkar").lstrip("-")))
    else:
        asyncio.run(_serve_bare(ready, stop, default_bolt=kind == "bolt-default"))


# -- the client (this process) -------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    latencies: list[float]  # seconds
    statuses: dict[int, int]
    wall: float

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def p50(self) -> float:
        return self.pct(0.50)

    @property
    def p99(self) -> float:
        return self.pct(0.99)


def _requests(n: int, start: int) -> list[tuple[bytes, dict[str, str]]]:
    verifier = SignatureVerifier(SECRET)
    stamp = str(int(time.time()))
    prepared = []
    for i in range(start, start + n):
        body = urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "bench", "channel_id": "C0BENCH",
            "channel_name": "bench", "user_id": f"U{i % USERS:04d}", "user_name": f"member{i % USERS}",
            "command": "/circle", "text": "status" if i % 2 else "help", "api_app_id": "A1",
            "response_url": "http://127.0.0.1:9/unused", "trigger_id": f"bench-{i}",
        })
        signature = verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        prepared.append((body.encode(), {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature,
                                         "Content-Type": "application/x-www-form-urlencoded"}))
    return prepared


async def _load(name: str, port: int, *, total: int, warmup: int, concurrency: int) -> Result:
    url = f"http://127.0.0.1:{port}/slack/events"
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def fire(batch: list[tuple[bytes, dict[str, str]]], latencies: list[float],
                       statuses: dict[int, int]) -> None:
            queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
            for item in batch:
                queue.put_nowait(item)

            async def worker() -> None:
                while not queue.empty():
                    body, headers = queue.get_nowait()
                    began = time.perf_counter()
                    async with session.post(url, data=body, headers=headers) as response:
                        answer = await response.read()
                    latencies.append(time.perf_counter() - began)
                    # Count what came back: 200 with the answer, or the core's apology (a bug, not speed).
                    key = response.status if b"something went wrong" not in answer else -1
                    statuses[key] = statuses.get(key, 0) + 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))

        await fire(_requests(warmup, 10_000), [], {})  # caches warm: auth.test, users.info, connections
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        began = time.perf_counter()
        await fire(_requests(total, 0), latencies, statuses)
        return Result(name, latencies, statuses, time.perf_counter() - began)


def _measure(kind: str, *, total: int, warmup: int, concurrency: int) -> Result:
    context = mp.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    with tempfile.TemporaryDirectory() as db_dir:
        child = context.Process(target=_child, args=(kind, ready, stop, db_dir), daemon=True)
        child.start()
        try:
            port = ready.get(timeout=120)
            return asyncio.run(_load(kind, port, total=total, warmup=warmup, concurrency=concurrency))
        finally:
            stop.set()
            child.join(timeout=30)


LABELS = {
    "lingkar": "Lingkar (bolt + adapter + core + database)",
    "lingkar-select-first": "  same, core get_or_create SELECTs first (*)",
    "lingkar-stub-core": "Lingkar's adapter, core answering from memory",
    "bolt": "bare bolt app, acks only (same bolt settings)",
    "bolt-default": "bare bolt app, acks only (bolt defaults)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="repeat every server, in a rotating order")
    parser.add_argument("--select-first", action="store_true",
                        help="(*) also measure the proposed core change (patched in the server process only)")
    parser.add_argument("--postgres", default="", help="run Lingkar on this PostgreSQL URL instead of a SQLite file")
    args = parser.parse_args()
    if args.postgres:
        os.environ["BENCH_POSTGRES_URL"] = args.postgres  # spawned children inherit the environment
    kinds = ["lingkar", "lingkar-stub-core", "bolt", "bolt-default"]
    if args.select_first:
        kinds.insert(1, "lingkar-select-first")
    results: dict[str, list[Result]] = {kind: [] for kind in kinds}
    for round_ in range(args.rounds):
        shift = round_ % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:  # no server always runs first (or last) on a busy machine
            results[kind].append(_measure(kind, total=args.requests, warmup=args.warmup,
                                          concurrency=args.concurrency))
    print(f"Lingkar's database: {'PostgreSQL' if args.postgres else 'a SQLite file'}")
    print(f"{args.requests} signed slash commands (status/help alternating, {USERS} members), "
          f"{args.concurrency} concurrent, after {args.warmup} warm-up requests; median of {args.rounds} round(s)")
    print(f"{'server':<48} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}  HTTP statuses (-1: the core apologised)")
    summary: dict[str, tuple[float, float]] = {}
    for kind, runs in results.items():
        p50 = statistics.median(r.p50 for r in runs)
        p99 = statistics.median(r.p99 for r in runs)
        rate = statistics.median(len(r.latencies) / r.wall for r in runs)
        statuses = {k: sum(r.statuses.get(k, 0) for r in runs) for k in {s for r in runs for s in r.statuses}}
        summary[kind] = (p50, p99)
        print(f"{LABELS[kind]:<48} {p50:>8.1f} {p99:>8.1f} {rate:>8.0f}  {statuses}")
    for kind in kinds[:-2]:
        print(f"{kind} / bare bolt (same settings): p50 x{summary[kind][0] / summary['bolt'][0]:.2f}, "
              f"p99 x{summary[kind][1] / summary['bolt'][1]:.2f}")
    print("target: Lingkar p99 < 100 ms and within x1.5 of the bare bolt app")


if __name__ == "__main__":
    main()
