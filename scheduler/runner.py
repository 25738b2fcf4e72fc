"""Each process's clock: an APScheduler tick that plans what is due and delivers it (the database decides)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.kernel.config import CoreConfig
from bot.kernel.planning import PlanReport, plan
from bot.kernel.ports import Clock, Messenger
from scheduler.deliver import Backoff, DeliveryReport, deliver_due
from scheduler.pacing import DEFAULT_LIMITS, Pacer, RateLimit
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PlanFunction = Callable[..., Awaitable[PlanReport]]  # bot.kernel.planning.plan's shape: (uow_factory, *, now, config)
TICK_JOB = "lingkar-tick"
CANCEL_SECONDS = 5.0  # how long a tick cut short by shutdown gets to unwind (its finally blocks)


@dataclass(frozen=True)
class SchedulerOptions:
    """How often to tick and how to deliver; adapters build it from Settings."""

    tick_seconds: float = 60.0
    limit: int = 10_000  # claims per tick; the rest waits for the next tick
    batch: int = 100
    concurrency: int = 16
    lease_seconds: float = 300.0
    send_timeout: float = 60.0
    max_attempts: int = 8
    backoff: Backoff = field(default_factory=Backoff)
    limits: dict[str, RateLimit] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    @property
    def misfire_grace_seconds(self) -> int:
        # A tick that fires late (a busy loop, a suspended laptop) still runs; coalescing keeps it to one.
        return max(30, int(self.tick_seconds * 2))


@dataclass
class TickReport:
    planned: PlanReport
    delivered: DeliveryReport
    planning_failed: bool = False


class _Frozen:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerRunner:
    """Wraps AsyncIOScheduler. APScheduler cannot share a job store between processes, so it only says "now";
    what is due, and who sends it, lives in the database (planning by idempotency key, claims with leases).
    A tick missed while the process was down is caught up by the next one: planning looks at the clock,
    not at the ticks it missed, and inserts each due item once."""

    def __init__(
        self, *, uow_factory: Callable[[], UnitOfWork], messenger: Messenger, clock: Clock, config: CoreConfig,
        options: SchedulerOptions | None = None, planner: PlanFunction = plan, worker_id: str | None = None,
        pacer: Pacer | None = None, on_delivered: Callable[[DeliveryReport], None] | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.messenger = messenger
        self.clock = clock
        self.config = config
        self.options = options or SchedulerOptions()
        self.planner = planner
        self.worker_id = worker_id or default_worker_id()
        self.pacer = pacer or Pacer(self.options.limits)  # one per process: pacing holds across ticks
        self.on_delivered = on_delivered  # the adapters' metrics; the scheduler knows no metrics library
        self._scheduler: AsyncIOScheduler | None = None
        self._stop = asyncio.Event()
        self._ticking: asyncio.Task[Any] | None = None
        self.ticks = 0

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def start(self) -> None:
        """Start ticking on the running event loop; the first tick runs at once (catching up after downtime)."""
        if self._scheduler is not None:
            raise RuntimeError("the scheduler runner was already started")
        self._stop.clear()
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        scheduler.add_job(
            self._tick, IntervalTrigger(seconds=self.options.tick_seconds, timezone=UTC), id=TICK_JOB,
            coalesce=True, max_instances=1, misfire_grace_time=self.options.misfire_grace_seconds,
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler %s ticking every %ss", self.worker_id, self.options.tick_seconds)

    async def shutdown(self, *, grace_seconds: float = 30.0) -> None:
        """Stop ticking; let a running tick finish its sends in flight and give back the rest, then stop."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()  # no new ticks while the current one winds down
        self._stop.set()
        ticking = self._ticking
        if ticking is not None and not ticking.done():
            try:
                await asyncio.wait_for(asyncio.shield(ticking), grace_seconds)
            except TimeoutError:
                log.warning("the scheduler tick did not finish within %gs: its sends under way are cut short and "
                            "stay claimed until their lease runs out (their outcome is unknown)", grace_seconds)
            except Exception:  # the tick's own failure was logged where it happened
                pass
        scheduler.shutdown(wait=False)  # cancels the tick if it is still running
        ticking = self._ticking
        if ticking is not None and not ticking.done():
            # Let the cancelled tick unwind before the caller closes the database under it.
            await asyncio.wait({ticking}, timeout=CANCEL_SECONDS)

    async def _tick(self) -> None:
        self._ticking = asyncio.current_task()
        self.ticks += 1
        try:
            await self.run_once()
        except asyncio.CancelledError:
            if not self._stop.is_set():
                raise
            # Cut short by shutdown() after its grace, which said so; APScheduler would log it as a failed job.
        except Exception:
            log.exception("scheduler tick failed; the next tick tries again")

    async def run_once(self, now: datetime | None = None) -> TickReport:
        """One tick: plan what is due at `now` (default: the clock's now), then deliver what is due."""
        clock: Clock = self.clock if now is None else _Frozen(now)
        moment = clock.now()
        failed = False
        try:
            planned = await self.planner(self.uow_factory, now=moment, config=self.config)
        except Exception:
            # Deliveries planned earlier must still go out when one planner is broken.
            log.exception("planning at %s failed; delivering what was planned before", moment.isoformat())
            planned, failed = PlanReport(), True
        delivered = await self.deliver(clock=clock)
        if planned.total or delivered.claimed or delivered.skipped_total:
            log.info("tick at %s: planned %d, sent %d, retried %d, failed %d, skipped %d, given back %d",
                     moment.isoformat(), planned.total, delivered.sent, delivered.retried, delivered.failed,
                     delivered.skipped_total, delivered.released)
        return TickReport(planned=planned, delivered=delivered, planning_failed=failed)

    async def deliver(self, *, clock: Clock | None = None) -> DeliveryReport:
        options = self.options
        report = await deliver_due(
            uow_factory=self.uow_factory, messenger=self.messenger, clock=clock or self.clock,
            worker_id=self.worker_id, limit=options.limit, lease_seconds=options.lease_seconds,
            concurrency=options.concurrency, batch=options.batch, send_timeout=options.send_timeout,
            max_attempts=options.max_attempts, pacer=self.pacer, backoff=options.backoff, stop=self._stop,
        )
        if self.on_delivered is not None:
            self.on_delivered(report)
        return report
