"""Two scheduler instances (two engines, two worker ids) on one database: every delivery goes out once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue
from scheduler.deliver import DeliveryReport, deliver_due
from scheduler.pacing import Pacer
from storage.repositories import outbox_claims as claims
from storage.tables import DeliveryStatus
from storage.uow import UnitOfWork
from tests.scheduler.support import Recorder, World, channel, later, second_engine


async def drain(uow: Callable[[], UnitOfWork], messenger: Recorder, clock: ManualClock, worker: str) -> DeliveryReport:
    """What a replica's ticks do, back to back, until nothing is left for it."""
    total = DeliveryReport()
    while True:
        report = await deliver_due(uow_factory=uow, messenger=messenger, clock=clock, worker_id=worker,
                                   pacer=Pacer.unlimited(), concurrency=8, batch=25)
        total.absorb(report)
        if report.claimed == 0:
            return total


async def test_two_instances_send_each_of_500_deliveries_exactly_once(world: World, manual: ManualClock) -> None:
    keys = [f"prompt:{n}:0" for n in range(500)]
    async with world.uow() as uow:
        for n, key in enumerate(keys):
            # Some circles share a channel, so both workers also meet on the same targets.
            await enqueue(uow, workspace_id=world.workspace_id, key=key, kind="prompt", target=channel(f"C{n % 350}"),
                          message=Message(text=key), due_at=later(manual.now(), seconds=-n))
        await uow.commit()
    engine, other_uow = second_engine(world.database)
    messenger = Recorder(delay=0.001)  # one platform, two senders: it records who posted what
    try:
        first, second = await asyncio.gather(drain(world.uow, messenger, manual, "replica-a"),
                                             drain(other_uow, messenger, manual, "replica-b"))
    finally:
        await engine.dispose()
    counts = messenger.texts()
    assert counts == Counter(dict.fromkeys(keys, 1))  # each key once: no loss, no duplicate
    assert first.sent + second.sent == 500
    assert first.sent > 0 and second.sent > 0  # both really worked
    rows = await world.rows()
    assert {r.status for r in rows.values()} == {DeliveryStatus.SENT}
    assert len({r.sent_ref for r in rows.values()}) == 500


async def test_concurrent_claims_never_overlap(world: World, manual: ManualClock) -> None:
    for n in range(300):
        await world.queue(f"k{n}", channel(f"C{n}"))
    engines = [second_engine(world.database) for _ in range(3)]

    async def grab(uow: Callable[[], UnitOfWork], worker: str) -> list[str]:
        got: list[str] = []
        while True:
            async with uow() as unit:
                claim = await claims.claim(unit, worker_id=worker, now=manual.now(),
                                           lease_until=later(manual.now(), minutes=5), limit=7)
            if not claim.deliveries:
                return got
            got.extend(d.key for d in claim.deliveries)

    try:
        taken = await asyncio.gather(*(grab(uow, f"w{i}") for i, (_, uow) in enumerate(engines)))
    finally:
        for engine, _ in engines:
            await engine.dispose()
    everything = [key for keys in taken for key in keys]
    assert sorted(everything) == sorted(f"k{n}" for n in range(300))  # all claimed, none twice
    rows = await world.rows()
    owners = {row.key: row.claimed_by for row in rows.values()}
    for i, keys in enumerate(taken):
        assert {owners[k] for k in keys} <= {f"w{i}"}
