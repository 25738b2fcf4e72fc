"""Connections killed every 50 ms during a fan-out (PostgreSQL): nothing lost, next to nothing sent twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.kernel.clock import SystemClock
from scheduler.deliver import DeliveryReport, deliver_due
from scheduler.pacing import Pacer
from storage.engine import make_engine, make_session_factory
from storage.tables import DeliveryStatus
from storage.uow import UnitOfWork
from tests.conftest import Database, create_schema
from tests.scheduler.support import Recorder, World, channel, open_world

TOTAL = 400
KILL_SECONDS = 3.0
KILL_EVERY = 0.05
LEASE, SEND_TIMEOUT = 4.0, 1.0  # short, so whatever was left `sending` comes back within the test

# Only connections with this name are killed: other tests use the same server at the same time.
KILL = text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND application_name = :name")


async def kill_repeatedly(world: World, name: str, stop: asyncio.Event) -> int:
    """The test's deliverer loses every connection it has, every KILL_EVERY seconds, until `stop`."""
    killed = 0
    while not stop.is_set():
        async with world.engine.connect() as connection:  # an engine with another name: never killed itself
            killed += (await connection.execute(KILL, {"name": name})).scalar_one()
        await asyncio.sleep(KILL_EVERY)
    return killed


async def everything_recorded(world: World) -> bool:
    rows = await world.rows()
    return all(r.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED) for r in rows.values())


async def test_killed_connections_during_a_fan_out_duplicate_at_most_one_percent(backend: str,
                                                                                database: Database) -> None:
    if backend != "postgresql":
        pytest.skip("pg_terminate_backend: PostgreSQL only (set LINGKAR_TEST_DATABASE_URL)")
    await create_schema(database)
    clock = SystemClock()  # leases must really run out for a lost record to come back
    world = await open_world(database, clock.now())
    name = f"lingkar-hiccup-{uuid.uuid4().hex[:8]}"
    engine = make_engine(database.url, schema=database.schema, application_name=name)
    sessions = make_session_factory(engine)
    messenger = Recorder(delay=0.04)  # ~2 s of sending at this concurrency: the kills land throughout
    keys = [f"k{n:03}" for n in range(TOTAL)]
    report, run_failures = DeliveryReport(), 0
    stop_killing = asyncio.Event()
    try:
        for n, key in enumerate(keys):
            await world.queue(key, channel(f"C{n}"), due=world.now - timedelta(seconds=TOTAL - n))
        killer = asyncio.create_task(kill_repeatedly(world, name, stop_killing))
        asyncio.get_running_loop().call_later(KILL_SECONDS, stop_killing.set)
        async with asyncio.timeout(90):
            while not (stop_killing.is_set() and await everything_recorded(world)):
                try:  # what the scheduler's ticks do, back to back
                    report.absorb(await deliver_due(
                        uow_factory=lambda: UnitOfWork(sessions), messenger=messenger, clock=clock,
                        worker_id="hiccup", lease_seconds=LEASE, send_timeout=SEND_TIMEOUT, concurrency=8,
                        batch=25, max_attempts=1000, pacer=Pacer.unlimited()))
                except Exception:  # a tick that fails is followed by the next one
                    run_failures += 1
                await asyncio.sleep(0.05)
        killed = await killer
        rows = await world.rows()
    finally:
        stop_killing.set()
        await engine.dispose()
        await world.engine.dispose()

    counts = messenger.texts()
    duplicates = sum(n - 1 for n in counts.values())
    print(f"\n{killed} connections killed; {duplicates} duplicates of {TOTAL}; records that failed for good: "
          f"{report.errors}; failed runs: {run_failures}")
    assert killed > 20  # the database really was pulled away, many times, during the fan-out
    assert set(counts) == set(keys)  # zero losses
    assert {r.status for r in rows.values()} == {DeliveryStatus.SENT}
    assert duplicates <= TOTAL // 100
