"""The deliverer's order, limits and leases on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.kernel.clock import ManualClock
from storage.repositories import outbox_claims as claims
from storage.tables import DeliveryStatus
from tests.scheduler.deliver_support import run
from tests.scheduler.support import Recorder, World, channel, later


async def test_each_target_gets_its_messages_in_order(world: World, recorder: Recorder, manual: ManualClock) -> None:
    for n in range(5):
        await world.queue(f"c1-{n}", channel("C1"), due=later(manual.now(), minutes=-10 + n))
        await world.queue(f"c2-{n}", channel("C2"), due=later(manual.now(), minutes=-10 + n))
    recorder.delay = 0.001
    await run(world, recorder, manual, concurrency=4, batch=3)
    for ref in ("C1", "C2"):
        assert [s.text for s in recorder.sent if s.target.ref == ref] == [f"{ref.lower()}-{n}" for n in range(5)]


async def test_limit_caps_one_run(world: World, recorder: Recorder, manual: ManualClock) -> None:
    for n in range(5):
        await world.queue(f"k{n}", channel(f"C{n}"), due=later(manual.now(), minutes=n - 10))
    report = await run(world, recorder, manual, limit=2, batch=10)
    assert report.sent == 2
    assert recorder.texts() == {"k0": 1, "k1": 1}


async def test_an_abandoned_lease_is_taken_over_once_it_expires(world: World, recorder: Recorder,
                                                               manual: ManualClock) -> None:
    await world.queue("orphan", channel("C1"))
    async with world.uow() as uow:  # a worker claims it and dies before sending
        got = await claims.claim(uow, worker_id="dead", now=manual.now(), lease_until=later(manual.now(), seconds=60),
                                 limit=10)
    assert [d.key for d in got.deliveries] == ["orphan"]
    assert (await run(world, recorder, manual)).claimed == 0  # still leased
    manual.advance(timedelta(seconds=61))
    report = await run(world, recorder, manual, worker_id="alive")
    row = (await world.rows())["orphan"]
    assert report.sent == 1
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)  # the dead worker's try counts: outcome unknown
    assert recorder.texts() == {"orphan": 1}


async def test_a_message_whose_senders_keep_dying_ends_up_failed(world: World, recorder: Recorder,
                                                                manual: ManualClock) -> None:
    await world.queue("poison", channel("C1"))
    for dead in ("dead-1", "dead-2", "dead-3"):  # each claims it and dies before recording an outcome
        async with world.uow() as uow:
            await claims.claim(uow, worker_id=dead, now=manual.now(), lease_until=later(manual.now(), seconds=60),
                               limit=10, max_attempts=3)
        manual.advance(timedelta(seconds=61))
    report = await run(world, recorder, manual, max_attempts=3)  # three tries with unknown outcomes: enough
    row = (await world.rows())["poison"]
    assert (report.failed, report.claimed, row.status, row.attempts) == (1, 0, DeliveryStatus.FAILED, 3)
    assert row.last_error == "gave up after 3 tries: the sender stopped before recording the outcome"
    assert recorder.sent == []


async def test_a_worker_that_lost_its_lease_cannot_record_over_the_new_owner(world: World,
                                                                             manual: ManualClock) -> None:
    await world.queue("contested", channel("C1"))
    async with world.uow() as uow:
        await claims.claim(uow, worker_id="slow", now=manual.now(), lease_until=later(manual.now(), seconds=10),
                           limit=1)
    manual.advance(timedelta(seconds=11))
    async with world.uow() as uow:
        taken = await claims.claim(uow, worker_id="fast", now=manual.now(),
                                   lease_until=later(manual.now(), seconds=10), limit=1)
    assert [d.key for d in taken.deliveries] == ["contested"]
    delivery_id = taken.deliveries[0].id or 0
    assert not await claims.mark_sent(world.uow, delivery_id=delivery_id, worker_id="slow", ref="x", now=manual.now())
    assert not await claims.renew(world.uow, delivery_id=delivery_id, worker_id="slow",
                                  lease_until=later(manual.now(), hours=1))
    row = (await world.rows())["contested"]
    assert (row.status, row.claimed_by, row.sent_ref) == (DeliveryStatus.SENDING, "fast", None)


async def test_stopping_gives_back_what_was_not_tried(world: World, manual: ManualClock) -> None:
    gate = asyncio.Event()
    recorder = Recorder(gate=gate)
    for n in range(6):
        await world.queue(f"k{n}", channel(f"C{n}"), due=later(manual.now(), minutes=n - 10))
    stop = asyncio.Event()
    running = asyncio.create_task(run(world, recorder, manual, concurrency=2, stop=stop))
    assert {await recorder.starts.get(), await recorder.starts.get()} == {"k0", "k1"}  # both slots are sending
    stop.set()
    gate.set()
    report = await running
    rows = await world.rows()
    assert (report.sent, report.released) == (2, 4)
    assert sorted(recorder.texts()) == ["k0", "k1"]
    untried = [rows[f"k{n}"] for n in range(2, 6)]
    assert {(r.status, r.claimed_by, r.lease_until, r.attempts) for r in untried} == {
        (DeliveryStatus.PENDING, None, None, 0)}
