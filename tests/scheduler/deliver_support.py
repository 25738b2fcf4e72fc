"""Running the deliverer once, and naming a queued file, for the deliverer tests."""

from __future__ import annotations

from typing import Any

from bot.kernel.clock import ManualClock
from bot.kernel.ports import Messenger
from scheduler.deliver import DeliveryReport, deliver_due
from scheduler.pacing import Pacer
from tests.scheduler.support import World


async def run(world: World, messenger: Messenger, clock: ManualClock, **options: Any) -> DeliveryReport:
    options.setdefault("worker_id", "w1")
    return await deliver_due(uow_factory=world.uow, messenger=messenger, clock=clock, pacer=Pacer.unlimited(),
                             **options)


async def _name_file(world: World, key: str, filename: str) -> None:
    """How the outbox (storage.repositories.outbox) names a queued file: payload["file"]["filename"]."""
    async with world.uow() as uow:
        row = (await world.rows())[key]
        row.payload = {**row.payload, "file": {"filename": filename}}
        uow.session.add(row)
        await uow.commit()
