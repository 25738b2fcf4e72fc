"""Two deliverers (two engines) pacing one workspace through the database: together they keep the workspace's rate."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

from bot.kernel.clock import ManualClock
from bot.kernel.ports import MessageRef
from scheduler.deliver import DeliveryReport, deliver_due
from scheduler.pacing import RateLimit
from scheduler.shared_pacing import SharedPacer
from storage.uow import UnitOfWork
from tests.scheduler.support import Recorder, Sent, World, channel, second_engine

RATE = 30  # messages per second for the whole workspace
LIMITS = {"local": RateLimit(workspace_rate=RATE)}


class TimedRecorder(Recorder):
    """The platform stand-in, also noting the moment each post arrived (one process, one monotonic clock)."""

    def __init__(self) -> None:
        super().__init__()
        self.moments: list[float] = []

    async def _post(self, record: Sent) -> MessageRef:
        self.moments.append(time.monotonic())
        return await super()._post(record)


def most_in_a_second(moments: list[float]) -> int:
    """The largest number of moments that fit in any window shorter than one second."""
    ordered, most, first = sorted(moments), 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_most_in_a_second_counts_a_rolling_window() -> None:
    assert most_in_a_second([0.0, 0.5, 0.99, 1.0, 1.98]) == 3
    assert most_in_a_second([n / 8 for n in range(16)]) == 8  # 8/s, evenly: a window holds 8, never 9
    assert most_in_a_second([]) == 0


async def drain(uow: Callable[[], UnitOfWork], messenger: Recorder, clock: ManualClock, worker: str,
                pacer: SharedPacer) -> DeliveryReport:
    total = DeliveryReport()
    while True:
        report = await deliver_due(uow_factory=uow, messenger=messenger, clock=clock, worker_id=worker,
                                   pacer=pacer, concurrency=8, batch=10)
        total.absorb(report)
        if report.claimed == 0:
            return total


async def test_two_replicas_together_never_exceed_the_workspace_rate(world: World, manual: ManualClock) -> None:
    keys = [f"prompt:{n}:0" for n in range(3 * RATE)]
    for key in keys:
        await world.queue(key, channel(f"C-{key}"))
    engine, other_uow = second_engine(world.database)
    platform = TimedRecorder()
    pacers = SharedPacer(LIMITS, uow_factory=world.uow), SharedPacer(LIMITS, uow_factory=other_uow)
    try:
        first, second = await asyncio.gather(drain(world.uow, platform, manual, "replica-a", pacers[0]),
                                             drain(other_uow, platform, manual, "replica-b", pacers[1]))
    finally:
        await engine.dispose()
    assert platform.texts() == Counter(dict.fromkeys(keys, 1))  # each once: no loss, no duplicate
    assert first.sent > 0 and second.sent > 0  # both replicas really sent
    assert most_in_a_second(platform.moments) <= RATE  # each pacing alone at RATE, they would send 2 × RATE
    reservations = sum(p.reservations for p in pacers)
    assert 0 < reservations < len(keys)  # slots are reserved a few at a time, not one query per message


async def test_a_429_at_one_replica_holds_the_workspace_for_the_other(world: World) -> None:
    engine, other_uow = second_engine(world.database)
    target = channel("C1")
    throttled, other = SharedPacer(LIMITS, uow_factory=world.uow), SharedPacer(LIMITS, uow_factory=other_uow)
    try:
        throttled.hold(target, 0.5)
        told = time.monotonic()
        async with throttled.gate(target):
            await throttled.until_ready(target)  # its next reservation carries the pause to the database
            throttled.take(target)
        async with other.gate(target):
            await other.until_ready(target)
            resumed = other.take(target)
    finally:
        await engine.dispose()
    # The other replica never heard the 429 itself; its first slot still comes after the pause (less the
    # clock estimate's error, at most a round trip to the database).
    assert resumed - told >= 0.5 - 0.05
