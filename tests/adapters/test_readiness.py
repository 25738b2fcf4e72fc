"""/healthz says the process is up; /readyz checks the database (reachable, at head) and the scheduler, and answers
503 with the reasons otherwise; `lingkar serve` refuses an unmigrated database with one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.bootstrap import bootstrap
from adapters.readiness import UNMIGRATED, UNREACHABLE, RefusedToStart, refuse_unless_migrated
from adapters.server import build_web_app
from adapters.settings import Settings
from storage.engine import make_engine
from storage.migrate import head_revision, schema_state, upgrade
from tests.conftest import PG_URL, Database, create_schema

HANG_GUARD = 60  # seconds; only so a broken build fails instead of hanging


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): a database there refuses at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def lingkar(url: str, *, schema: str | None = None, ticking: bool = False,
                  **env: Any) -> AsyncIterator[TestClient[Any, Any]]:
    settings = Settings(LINGKAR_DATABASE_URL=url, LINGKAR_SCHEDULER_TICK_SECONDS=3600, **env)
    built = await bootstrap(settings, migrate=False, schema=schema)
    client = TestClient(TestServer(build_web_app(built)))
    await client.start_server()
    try:
        if ticking:
            built.scheduler.start()
        yield client
    finally:
        await built.scheduler.shutdown()
        await client.close()
        await built.close()


async def set_revision(database: Database, revision: str) -> None:
    engine = make_engine(database.url, schema=database.schema)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})
    finally:
        await engine.dispose()


async def readyz(client: TestClient[Any, Any]) -> tuple[int, dict[str, Any]]:
    response = await client.get("/readyz")
    return response.status, await response.json()


async def test_ready_when_migrated_and_ticking(database: Database) -> None:
    await upgrade(database.url, schema=database.schema)
    async with lingkar(database.url, schema=database.schema, ticking=True) as client:
        assert await readyz(client) == (200, {"status": "ready"})
        assert (await client.get("/healthz")).status == 200


async def test_not_ready_without_the_scheduler(database: Database) -> None:
    await upgrade(database.url, schema=database.schema)
    async with lingkar(database.url, schema=database.schema) as client:
        assert await readyz(client) == (503, {"status": "unavailable", "reasons": ["the scheduler is not running"]})


async def test_a_web_only_replica_is_ready_without_the_scheduler(database: Database) -> None:
    """LINGKAR_SCHEDULER_ENABLED=false (docs/deploy.md): it never ticks, and /readyz does not ask it to; the
    database is still checked."""
    await upgrade(database.url, schema=database.schema)
    async with lingkar(database.url, schema=database.schema, LINGKAR_SCHEDULER_ENABLED=False) as client:
        assert await readyz(client) == (200, {"status": "ready"})
    await set_revision(database, "cfedd2ed24aa")
    async with lingkar(database.url, schema=database.schema, LINGKAR_SCHEDULER_ENABLED=False) as client:
        status, body = await readyz(client)
    assert status == 503 and "run `lingkar db upgrade`" in body["reasons"][0]


async def test_not_ready_on_an_unmigrated_database(database: Database) -> None:
    await create_schema(database)  # every table, but never migrated: no alembic_version
    async with lingkar(database.url, schema=database.schema, ticking=True) as client:
        status, body = await readyz(client)
    assert status == 503 and body["reasons"] == ["the database has no Lingkar tables yet: run `lingkar db upgrade`"]


async def test_not_ready_one_revision_behind(database: Database) -> None:
    await upgrade(database.url, schema=database.schema)
    await set_revision(database, "cfedd2ed24aa")  # as if this release added migrations not yet applied
    async with lingkar(database.url, schema=database.schema, ticking=True) as client:
        status, body = await readyz(client)
    assert status == 503
    assert body["reasons"] == [f"the database is at revision cfedd2ed24aa, this version needs {head_revision()}: "
                               f"run `lingkar db upgrade`"]


async def test_a_newer_schema_is_served_during_a_rolling_upgrade(database: Database) -> None:
    """The new release migrated first: the old replicas must stay ready (and start) until they are replaced."""
    await upgrade(database.url, schema=database.schema)
    await set_revision(database, "f0f0f0f0f0f0")
    async with lingkar(database.url, schema=database.schema, ticking=True) as client:
        assert await readyz(client) == (200, {"status": "ready"})
    built = await bootstrap(Settings(LINGKAR_DATABASE_URL=database.url), migrate=False, schema=database.schema)
    try:
        await refuse_unless_migrated(built)
    finally:
        await built.close()


async def test_alive_but_not_ready_when_the_database_is_down() -> None:
    url = f"postgresql+asyncpg://lingkar:{uuid.uuid4().hex}@127.0.0.1:{closed_port()}/lingkar"
    async with lingkar(url, ticking=True) as client:
        assert (await client.get("/healthz")).status == 200  # liveness: no restart for a database outage
        status, body = await readyz(client)
    assert status == 503 and body["reasons"] == ["the database does not answer"]
    assert url.split("@")[0] not in str(body)


async def test_an_empty_database_is_refused_at_start(database: Database) -> None:
    settings = Settings(LINGKAR_DATABASE_URL=database.url)
    built = await bootstrap(settings, migrate=False, schema=database.schema)  # PostgreSQL's start: no migration
    try:
        with pytest.raises(RefusedToStart) as refused:
            await refuse_unless_migrated(built)
        assert refused.value.exit_code == UNMIGRATED
        assert str(refused.value) == "not starting: the database has no Lingkar tables yet: run `lingkar db upgrade`"
        await upgrade(database.url, schema=database.schema)
        await refuse_unless_migrated(built)  # migrated: it starts
        assert (await schema_state(built.engine)).at_head
    finally:
        await built.close()


def serve_process(url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINGKAR_", "SLACK_", "Microsoft"))}
    env.update(LINGKAR_DATABASE_URL=url, LINGKAR_HOST="127.0.0.1", LINGKAR_PORT=str(closed_port()),
               LINGKAR_SECRET_KEY=uuid.uuid4().hex)  # without it, a warning (rightly) precedes the refusal
    return subprocess.run([sys.executable, "-m", "adapters.cli", "serve"], env=env, capture_output=True, text=True,
                          timeout=HANG_GUARD, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def test_serve_refuses_an_unreachable_database_with_one_line() -> None:
    password = uuid.uuid4().hex
    done = serve_process(f"postgresql+asyncpg://lingkar:{password}@127.0.0.1:{closed_port()}/lingkar")
    assert done.returncode == UNREACHABLE
    assert done.stderr.splitlines() == [done.stderr.strip()] and "LINGKAR_DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr and password not in done.stderr + done.stdout


@pytest.mark.skipif(not PG_URL, reason="needs LINGKAR_TEST_DATABASE_URL (a PostgreSQL to create a database in)")
def test_serve_refuses_an_unmigrated_postgresql_with_one_line() -> None:
    """The whole process, on a fresh PostgreSQL database: today's `relation "delivery" does not exist` every tick."""
    name = f"lingkar_fresh_{uuid.uuid4().hex[:10]}"
    admin = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    psql = ["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc"]
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, capture_output=True, timeout=HANG_GUARD)
    try:
        done = serve_process(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        subprocess.run([*psql, f'DROP DATABASE "{name}"'], check=True, capture_output=True, timeout=HANG_GUARD)
    assert done.returncode == UNMIGRATED, done.stderr
    assert done.stderr.strip() == ("lingkar: not starting: the database has no Lingkar tables yet: "
                                   "run `lingkar db upgrade`")
