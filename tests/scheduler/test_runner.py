"""The runner: APScheduler as each process's clock; planning by key makes missed ticks and replicas harmless."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.kernel.clock import ManualClock
from bot.kernel.config import CoreConfig
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue
from bot.kernel.planning import PlanReport
from scheduler.pacing import Pacer
from scheduler.runner import PlanFunction, SchedulerOptions, SchedulerRunner
from storage.tables import DeliveryStatus
from storage.uow import UnitOfWork
from tests.conftest import START
from tests.scheduler.support import Recorder, World, channel, second_engine

CIRCLES = ("C1", "C2")


def weekly_prompts(workspace_id: int) -> PlanFunction:
    """A planner in the shape of bot.kernel.planning.plan: Monday 09:00 in Jakarta, one prompt per circle and week.

    Like the real planners it looks at the clock, not at the ticks it saw: every occurrence up to now is
    queued under its own key (once), and each goes stale when the next one is due.
    """
    trigger = CronTrigger(day_of_week="mon", hour=9, timezone="Asia/Jakarta")

    async def plan(uow_factory: Callable[[], UnitOfWork], *, now: datetime, config: CoreConfig) -> PlanReport:
        report = PlanReport()
        async with uow_factory() as uow:
            fire = trigger.get_next_fire_time(None, START)
            while fire is not None and fire <= now:
                following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
                for ref in CIRCLES:
                    key = f"prompt:{ref}:{fire.date().isoformat()}"
                    if await enqueue(uow, workspace_id=workspace_id, key=key, kind="prompt", target=channel(ref),
                                     message=Message(text=key), due_at=fire, stale_at=following):
                        report.queued["weekly_prompts"] = report.queued.get("weekly_prompts", 0) + 1
                fire = following
            await uow.commit()
        return report

    return plan


def runner(world: World, messenger: Recorder, clock: ManualClock, *, planner: PlanFunction | None = None,
           uow: Callable[[], UnitOfWork] | None = None, worker_id: str = "w1", **options: float) -> SchedulerRunner:
    return SchedulerRunner(uow_factory=uow or world.uow, messenger=messenger, clock=clock, config=CoreConfig(),
                           options=SchedulerOptions(**options),  # type: ignore[arg-type]
                           planner=planner or weekly_prompts(world.workspace_id), worker_id=worker_id,
                           pacer=Pacer.unlimited())


def week(n: int) -> str:
    return (START + timedelta(weeks=n)).date().isoformat()


async def test_a_tick_after_a_long_gap_queues_each_due_item_once(world: World, recorder: Recorder,
                                                               manual: ManualClock) -> None:
    lingkar = runner(world, recorder, manual)
    first = await lingkar.run_once(START)
    assert (first.planned.total, first.delivered.sent) == (2, 2)
    # The process was down for three weeks: the first tick back plans the missed weeks once each; only the
    # current week's prompt is still worth sending.
    back = await lingkar.run_once(START + timedelta(weeks=3, hours=1))
    assert (back.planned.total, back.delivered.sent, back.delivered.skipped) == (6, 2, {"stale": 4})
    again = await lingkar.run_once(START + timedelta(weeks=3, hours=2))
    assert (again.planned.total, again.delivered.claimed) == (0, 0)
    assert recorder.texts() == Counter({f"prompt:{ref}:{day}": 1 for ref in CIRCLES for day in (week(0), week(3))})
    rows = await world.rows()
    assert len(rows) == 8
    assert Counter(r.status for r in rows.values()) == {DeliveryStatus.SENT: 4, DeliveryStatus.SKIPPED: 4}


async def test_replicas_ticking_together_plan_and_send_once(world: World, manual: ManualClock) -> None:
    recorder = Recorder(delay=0.001)
    engine, other = second_engine(world.database)
    try:
        a = runner(world, recorder, manual, worker_id="a")
        b = runner(world, recorder, manual, worker_id="b", uow=other)
        moment = START + timedelta(weeks=5)
        reports = await asyncio.gather(a.run_once(moment), b.run_once(moment), a.run_once(moment))
    finally:
        await engine.dispose()
    assert sum(r.planned.total for r in reports) == 12  # six weeks, two circles: each key inserted once
    assert recorder.texts() == Counter({f"prompt:{ref}:{week(5)}": 1 for ref in CIRCLES})
    assert len(await world.rows()) == 12


async def test_a_broken_planner_does_not_stop_delivery(world: World, recorder: Recorder, manual: ManualClock) -> None:
    async def broken(uow_factory: Callable[[], UnitOfWork], *, now: datetime, config: CoreConfig) -> PlanReport:
        raise RuntimeError("a planner bug")

    await world.queue("planned-before", channel("C9"))
    report = await runner(world, recorder, manual, planner=broken).run_once()
    assert report.planning_failed and report.delivered.sent == 1
    assert recorder.texts() == {"planned-before": 1}


async def test_the_real_planning_entry_point_fits(world: World, recorder: Recorder, manual: ManualClock) -> None:
    from bot.kernel.planning import plan

    await world.queue("queued-by-a-command", channel("C1"))
    report = await runner(world, recorder, manual, planner=plan).run_once()
    assert (report.planning_failed, report.planned.total, report.delivered.sent) == (False, 0, 1)


async def test_apscheduler_ticks_until_shut_down(world: World, recorder: Recorder, manual: ManualClock) -> None:
    lingkar = runner(world, recorder, manual, tick_seconds=0.2)
    lingkar.start()
    try:
        assert lingkar.running
        first = {await asyncio.wait_for(recorder.starts.get(), 30) for _ in CIRCLES}  # the first tick runs at once
        manual.advance(timedelta(weeks=1))  # a later tick notices the new week by itself
        second = {await asyncio.wait_for(recorder.starts.get(), 30) for _ in CIRCLES}
    finally:
        await lingkar.shutdown()
    assert not lingkar.running
    assert first == {f"prompt:{ref}:{week(0)}" for ref in CIRCLES}
    assert second == {f"prompt:{ref}:{week(1)}" for ref in CIRCLES}
    assert lingkar.ticks >= 2
    assert recorder.texts() == Counter(first | second)


async def test_shutdown_finishes_sends_in_flight_and_gives_back_the_rest(world: World, manual: ManualClock) -> None:
    gate = asyncio.Event()
    recorder = Recorder(gate=gate)
    for n in range(12):
        await world.queue(f"k{n:02}", channel(f"C{n}"), due=manual.now() - timedelta(minutes=60 - n))
    lingkar = runner(world, recorder, manual, concurrency=2)
    lingkar.start()
    in_flight = {await asyncio.wait_for(recorder.starts.get(), 30) for _ in range(2)}
    stopping = asyncio.create_task(lingkar.shutdown())
    await asyncio.sleep(0)  # shutdown has asked the tick to stop ...
    gate.set()  # ... before the platform answers the two sends in flight
    await stopping
    rows = await world.rows()
    assert in_flight == {"k00", "k01"}
    assert recorder.texts() == Counter(dict.fromkeys(in_flight, 1))
    assert {k for k, r in rows.items() if r.status == DeliveryStatus.SENT} == in_flight
    rest = [r for k, r in rows.items() if k not in in_flight]
    assert {(r.status, r.claimed_by, r.attempts) for r in rest} == {(DeliveryStatus.PENDING, None, 0)}
