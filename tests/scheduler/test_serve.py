"""`lingkar serve` runs the scheduler: queued messages go out while it serves, and it stops cleanly."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from adapters.server import serve
from adapters.settings import Settings
from bot.kernel.clock import SystemClock
from storage.migrate import upgrade
from storage.tables import DeliveryStatus
from tests.conftest import Database
from tests.scheduler.support import channel, open_world


async def test_serve_starts_and_stops_the_scheduler(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lingkar.db'}"
    await upgrade(url)
    world = await open_world(Database(url, None), SystemClock().now())
    try:
        await world.queue("welcome:C1", channel("C-WELCOME"), text="Selamat datang")
        settings = Settings(LINGKAR_DATABASE_URL=url, LINGKAR_HOST="127.0.0.1", LINGKAR_PORT=0,
                            LINGKAR_SCHEDULER_TICK_SECONDS=1)
        serving = asyncio.create_task(serve(settings))
        try:
            async with asyncio.timeout(30):
                while (row := (await world.rows())["welcome:C1"]).status != DeliveryStatus.SENT:
                    assert not serving.done(), serving
                    await asyncio.sleep(0.05)
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
        assert row.sent_ref and row.claimed_by is None and row.attempts == 1
    finally:
        await world.engine.dispose()
