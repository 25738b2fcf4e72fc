"""Pacing shared by every replica: a workspace's send slots are reserved in the database, a few at a time."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.kernel.ports import Target
from scheduler.pacing import Pacer, RateLimit, Sleep
from storage.repositories.pacing import reserve
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Slots are (1 + MARGIN) / rate apart, and a send may start at most about MARGIN after its slot: however late a
# replica's event loop wakes or however its clock estimate errs within that, no second holds more than the rate.
MARGIN = 0.02
MIN_LATE = 0.002  # a send's window when the database answered too slowly to estimate its clock within MARGIN
BLOCK_SECONDS = 0.1  # one reservation covers about this much of the rate: 5 slots at 50/s, 1 at 10/s
RETRY_SECONDS = 0.5  # after a failed reservation
DRIFT = 1e-3  # how far the two clocks may drift apart per second (1000 ppm: far more than NTP ever lets them)


@dataclass
class _Slots:
    """A workspace's slots this process reserved and has not used: (start, last moment to start), local monotonic."""

    spacing: float
    size: int
    due: deque[tuple[float, float]] = field(default_factory=deque)
    paused_until: float = float("-inf")  # the platform answered 429: no send before, and the database hears of it

    def drop_expired(self, now: float) -> None:
        while self.due and self.due[0][1] < now:
            self.due.popleft()

    def ready_at(self) -> float:
        return max(self.due[0][0], self.paused_until)


class SharedPacer(Pacer):
    """A Pacer whose workspace rate holds for all replicas together (PostgreSQL: `lingkar serve` replicas).

    A send takes the next slot of its workspace; when this process has none left, it reserves the next few
    slots in the database's `workspace_pace` row (one UPDATE … RETURNING), so the database is asked about once
    per BLOCK_SECONDS per busy workspace, not per message. The gap per target stays in this process: a target's
    deliveries are claimed and sent in order by one replica at a time in the common case, and a rare collision
    between replicas is answered by a 429 whose Retry-After this pacer passes on to every replica.
    """

    def __init__(
        self, limits: Mapping[str, RateLimit] | None = None, *, uow_factory: Callable[[], UnitOfWork],
        monotonic: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep, max_targets: int = 50_000,
    ) -> None:
        super().__init__(limits, monotonic=monotonic, sleep=sleep, max_targets=max_targets)
        self.uow_factory = uow_factory
        self._slots: dict[tuple[str, str], _Slots] = {}
        self.reservations = 0  # how often the database was asked (the bench reports it)
        # local monotonic minus the database's clock lies in [low, high] (as of `checked`): see _learn_offset
        self._offset = (float("-inf"), float("inf"))
        self._checked = float("-inf")
        self._lead = 0.0  # the last round trip: a new stretch starts this far ahead, so it is not past on arrival

    def _shared(self, target: Target) -> _Slots | None:
        rate = self.limit_for(target).workspace_rate
        if rate is None:
            return None
        key = (target.platform, target.workspace_id)
        slots = self._slots.get(key)
        if slots is None:
            slots = self._slots[key] = _Slots(spacing=(1 + MARGIN) / rate, size=max(1, round(rate * BLOCK_SECONDS)))
        return slots

    def ready(self, target: Target) -> bool:
        slots = self._shared(target)
        if slots is None:
            return super().ready(target)
        now = self.monotonic()
        slots.drop_expired(now)
        return bool(slots.due) and slots.ready_at() <= now

    async def until_ready(self, target: Target) -> None:
        """Wait (holding the gate) for this workspace's next slot, reserving more in the database when none is left."""
        slots = self._shared(target)
        while slots is not None and not self.ready(target):
            if slots.due:
                await self._sleep_until(slots.ready_at())
            elif not await self._reserve(target, slots):
                await self.sleep(RETRY_SECONDS)

    def take(self, target: Target) -> float:
        slots = self._shared(target)
        if slots is None:
            return super().take(target)
        slots.due.popleft()
        return self.monotonic()

    def hold(self, target: Target, seconds: float) -> None:
        super().hold(target, seconds)
        slots = self._shared(target)
        if slots is not None:  # the next reservation moves the workspace's row past the pause, for every replica
            slots.paused_until = max(slots.paused_until, self.monotonic() + max(0.0, seconds))

    async def _reserve(self, target: Target, slots: _Slots) -> bool:
        try:
            async with self.uow_factory() as uow:
                before = self.monotonic()
                pause = max(0.0, slots.paused_until - before) + self._lead
                got = await reserve(uow.session, platform=target.platform, workspace=target.workspace_id,
                                    span=slots.size * slots.spacing, pause=pause)
                after = self.monotonic()
                await uow.commit()
        except Exception as error:  # the database is away: send nothing rather than go over the rate
            log.warning("reserving send slots failed (%s); trying again in %ss", type(error).__name__, RETRY_SECONDS)
            return False
        self.reservations += 1
        self._lead = min(after - before, MARGIN)
        low, high = self._learn_offset(before - got.now, after - got.now, at=after)
        # Mapped with the latest offset possible, a slot is never early; it may be late by up to high - low, so
        # the send's own window to start is what is left of MARGIN.
        late = max(MIN_LATE, MARGIN - (high - low))
        for n in range(slots.size):
            start = got.start + n * slots.spacing + high
            slots.due.append((start, start + late))
        return True

    def _learn_offset(self, low: float, high: float, *, at: float) -> tuple[float, float]:
        """The database read its clock between our `before` and `after`: the offset lies in [low, high]. Every
        reservation narrows what earlier ones found (widened by the drift since), so one slow answer costs little."""
        widen = DRIFT * max(0.0, at - self._checked)
        known_low, known_high = self._offset[0] - widen, self._offset[1] + widen
        narrowed = (max(low, known_low), min(high, known_high))
        self._offset = narrowed if narrowed[0] <= narrowed[1] else (low, high)  # empty: a clock was stepped
        self._checked = at
        return self._offset


def pacer_for(*, limits: Mapping[str, RateLimit], uow_factory: Callable[[], UnitOfWork], shared: bool) -> Pacer:
    """The process's pacer: shared through the database when replicas may run side by side (PostgreSQL), in
    process otherwise (SQLite is one process)."""
    return SharedPacer(limits, uow_factory=uow_factory) if shared else Pacer(limits)
