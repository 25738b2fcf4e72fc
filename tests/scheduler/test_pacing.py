"""Pacing on a simulated clock: one message per second per target, a steady rate per workspace."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest

from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.ports import MessageRef, Target
from scheduler.deliver import deliver_due
from scheduler.pacing import Pacer, RateLimit
from tests.scheduler.support import Recorder, World, channel, later


class SimulatedTime:
    """A monotonic clock that sleeping moves forward: pacing is checked exactly, with no real waiting."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def slack(ref: str, workspace: str = "T1") -> Target:
    return Target(platform="slack", workspace_id=workspace, kind="channel", ref=ref)


def pacer(time: SimulatedTime, **limit: float) -> Pacer:
    return Pacer({"slack": RateLimit(**limit)}, monotonic=time.monotonic, sleep=time.sleep)  # type: ignore[arg-type]


async def test_a_target_waits_its_interval() -> None:
    time = SimulatedTime()
    paced = pacer(time, target_interval=1.0)
    await paced.target_turn(slack("C1"))
    assert time.now == 100.0  # nothing sent yet: no wait
    paced.sent(slack("C1"), at=time.now)
    await paced.target_turn(slack("C2"))
    assert time.now == 100.0  # other channels do not wait for C1
    await paced.target_turn(slack("C1"))
    assert time.now == pytest.approx(101.0)


async def test_the_workspace_rate_holds_in_every_second_without_drifting() -> None:
    time = SimulatedTime()
    paced = pacer(time, workspace_rate=50)  # bursts of 5 every tenth of a second
    moments = sorted(await asyncio.gather(*(paced.workspace_turn(slack(f"C{n}")) for n in range(500))))
    busiest = max(sum(1 for m in moments if start <= m < start + 1.0 - 1e-6) for start in moments)
    assert busiest == 50
    assert all(later - earlier >= 0.1 - 1e-9 for earlier, later in zip(moments, moments[5:], strict=False))
    assert moments[-1] - moments[0] == pytest.approx(9.9)  # 500 sends in 10 s: no slower than the rate


def test_the_default_burst_divides_the_rate() -> None:
    assert [RateLimit(workspace_rate=r).workspace_burst for r in (50, 10, 30, 25, 7, 2.5)] == [5, 1, 3, 1, 1, 1]
    assert RateLimit(workspace_rate=50, burst=2).workspace_burst == 2


async def test_workspaces_and_platforms_do_not_share_a_rate() -> None:
    time = SimulatedTime()
    paced = pacer(time, workspace_rate=1)
    await paced.workspace_turn(slack("C1", "T1"))
    await paced.workspace_turn(slack("C1", "T2"))
    await paced.workspace_turn(Target(platform="teams", workspace_id="T1", kind="channel", ref="x"))
    assert time.now == 100.0
    await paced.workspace_turn(slack("C2", "T1"))
    assert time.now == pytest.approx(101.0)


async def test_a_burst_goes_back_to_back_then_waits_its_period() -> None:
    time = SimulatedTime()
    paced = pacer(time, workspace_rate=10, burst=3)
    moments = [await paced.workspace_turn(slack(f"C{n}")) for n in range(5)]
    assert moments[:3] == [100.0, 100.0, 100.0]
    assert moments[3:] == [pytest.approx(100.3), pytest.approx(100.3)]


async def test_retry_after_holds_the_target_and_its_workspace() -> None:
    time = SimulatedTime()
    paced = pacer(time, target_interval=1.0, workspace_rate=50)
    await paced.workspace_turn(slack("C1"))
    paced.hold(slack("C1"), 30)
    await paced.target_turn(slack("C1"))
    assert time.now == pytest.approx(130.0)
    time.now = 110.0
    assert await paced.workspace_turn(slack("C3", "T2")) == 110.0  # another workspace does not wait
    assert await paced.workspace_turn(slack("C2")) == pytest.approx(130.0)  # the same workspace waits too


def test_limits_must_make_sense() -> None:
    with pytest.raises(ValueError):
        RateLimit(workspace_rate=0)
    with pytest.raises(ValueError):
        RateLimit(burst=0)


class StampingRecorder(Recorder):
    def __init__(self, time: SimulatedTime) -> None:
        super().__init__()
        self.time = time
        self.stamps: list[tuple[str, float]] = []

    async def send(self, target: Target, message: Message) -> MessageRef:
        self.stamps.append((target.ref, self.time.now))
        return await super().send(target, message)


async def test_the_deliverer_keeps_both_limits(world: World, manual: ManualClock) -> None:
    time = SimulatedTime()
    for n in range(4):
        for ref in ("C1", "C2", "C3"):
            await world.queue(f"{ref}-{n}", Target(platform="slack", workspace_id="T1", kind="channel", ref=ref),
                              due=later(manual.now(), seconds=n - 10))
    await world.queue("local", channel("L1"))
    messenger = StampingRecorder(time)
    report = await deliver_due(uow_factory=world.uow, messenger=messenger, clock=manual, worker_id="w1",
                               pacer=pacer(time, target_interval=1.0, workspace_rate=5), concurrency=8)
    assert report.sent == 13
    slack_stamps = [(ref, at) for ref, at in messenger.stamps if ref != "L1"]
    for ref in ("C1", "C2", "C3"):
        times = [at for r, at in slack_stamps if r == ref]
        assert len(times) == 4 and all(b - a >= 1.0 - 1e-9 for a, b in pairwise(times))
    ordered = sorted(at for _, at in slack_stamps)
    assert all(b - a >= 0.2 - 1e-9 for a, b in pairwise(ordered))
    assert [text for text in messenger.texts() if text.startswith("C1")] == [f"C1-{n}" for n in range(4)]


async def test_unknown_platforms_are_not_paced() -> None:
    time = SimulatedTime()
    paced = Pacer.unlimited()
    paced.monotonic = time.monotonic
    for _ in range(3):
        moment = await paced.workspace_turn(slack("C1"))
        paced.sent(slack("C1"), at=moment)
        await paced.target_turn(slack("C1"))
    assert time.now == 100.0


async def test_a_workspace_waiting_out_a_429_does_not_hold_up_another(world: World, manual: ManualClock) -> None:
    await world.queue("busy-workspace", slack("C1", "T1"), due=later(manual.now(), seconds=-1))
    await world.queue("quiet-workspace", slack("C1", "T2"))
    paced = Pacer({"slack": RateLimit(workspace_rate=50)})
    await paced.workspace_turn(slack("C0", "T1"))
    paced.hold(slack("C0", "T1"), 3600)  # T1 must wait an hour
    recorder, stop = Recorder(), asyncio.Event()
    running = asyncio.create_task(deliver_due(uow_factory=world.uow, messenger=recorder, clock=manual,
                                              worker_id="w1", pacer=paced, concurrency=1, stop=stop))
    assert await asyncio.wait_for(recorder.starts.get(), 30) == "quiet-workspace"  # the one slot was free for T2
    stop.set()  # ends the hour's wait at once
    report = await asyncio.wait_for(running, 30)
    assert (report.sent, report.released) == (1, 1)
    assert recorder.texts() == {"quiet-workspace": 1}
