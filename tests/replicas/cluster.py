"""Two real `lingkar serve` processes on one PostgreSQL database behind a round-robin proxy, all on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.kernel.clock import ManualClock
from storage.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # seconds for a replica to answer /healthz
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FileClock(ManualClock):
    """The test's clock, written where the replicas read theirs (tests/replicas/serve.py)."""

    def __init__(self, start: datetime, path: Path) -> None:
        self.path = path
        super().__init__(start)
        self._write()

    def _write(self) -> None:
        self.path.write_text(self.now().isoformat())

    def advance(self, delta: timedelta) -> datetime:
        moved = super().advance(delta)
        self._write()
        return moved

    def set(self, moment: datetime) -> None:
        super().set(moment)
        self._write()


@dataclass
class Proxy:
    """Round robin over the backends; `served` records which backend answered each request, in order."""

    backends: list[str]
    served: list[int] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        index = len(self.served) % len(self.backends)
        self.served.append(index)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        body = await request.read()
        async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session, session.request(
                request.method, self.backends[index] + request.path_qs, data=body, headers=headers) as answer:
            payload = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
            return web.Response(status=answer.status, body=payload, headers=kept)


@dataclass
class Cluster:
    proxy: Proxy
    replicas: list[str]
    processes: list[subprocess.Popen[bytes]]

    async def drain(self) -> None:
        """Wait until every replica has finished the work it does after answering (tests/replicas/serve.py)."""
        async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
            for base in self.replicas:
                async with session.post(base + "/_test/drain") as answer:
                    assert answer.status == 200, answer.status


@asynccontextmanager
async def postgres_database(admin_url: str) -> AsyncIterator[str]:
    """A fresh database for this test (the replicas get no schema setting, so they get a database of their own)."""
    name = f"lingkar_replicas_{uuid.uuid4().hex[:10]}"
    engine = make_engine(admin_url)
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


def _env(base: Mapping[str, str], url: str, clock_file: Path, port: int) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("LINGKAR_", "SLACK_", "Microsoft"))}
    return {**kept, **base, "LINGKAR_DATABASE_URL": url, "LINGKAR_TEST_CLOCK_FILE": str(clock_file),
            "LINGKAR_HOST": "127.0.0.1", "LINGKAR_PORT": str(port), "LINGKAR_SCHEDULER_TICK_SECONDS": "86400",
            "LINGKAR_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}


def _start(log: Path, *, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "tests.replicas.serve", "serve"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


async def _healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    async with asyncio.timeout(START_TIMEOUT), aiohttp.ClientSession() as session:
        while True:
            assert process.poll() is None, f"a replica exited with {process.returncode}"
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(base + "/healthz") as answer:
                    if answer.status == 200:
                        return
            await asyncio.sleep(0.1)


@asynccontextmanager
async def cluster(*, url: str, env: Mapping[str, str], clock_file: Path, logs: Path) -> AsyncIterator[Cluster]:
    """`lingkar db upgrade`, then two replicas and the proxy; everything stopped (killed if need be) on the way out."""
    upgrade = _env(env, url, clock_file, 0)
    await asyncio.to_thread(subprocess.run, [str(ROOT / ".venv/bin/lingkar"), "db", "upgrade"], env=upgrade,
                            cwd=logs, check=True, timeout=120, capture_output=True)
    ports = [free_port(), free_port()]
    processes: list[subprocess.Popen[bytes]] = []
    runner: web.AppRunner | None = None
    try:
        for n, port in enumerate(ports):
            log = logs / f"replica-{n}.log"  # read it when a replica misbehaves
            processes.append(await asyncio.to_thread(_start, log, env=_env(env, url, clock_file, port)))
        replicas = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(replicas, processes, strict=True):
            await _healthy(base, process)
        proxy = Proxy(backends=replicas)
        proxy_app = web.Application()
        proxy_app.router.add_route("*", "/{tail:.*}", proxy.handle)
        runner = web.AppRunner(proxy_app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        proxy.url = f"http://127.0.0.1:{port}"
        yield Cluster(proxy=proxy, replicas=replicas, processes=processes)
    finally:
        if runner is not None:
            await runner.cleanup()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
