"""Pacing sends under the platforms' rate limits: a gap per target and a steady rate per workspace."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.kernel.ports import Target

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RateLimit:
    """One platform's limits. `workspace_rate` is messages per second for a whole workspace (None: no cap).

    The workspace's sends go in small bursts: at most `burst` in any `burst / workspace_rate` seconds
    (default: about a tenth of the rate, chosen to divide it, so a burst every tenth of a second). When the
    burst divides the rate, no one-second window ever holds more than `workspace_rate` sends; and a late
    wake-up of the event loop delays one burst rather than every later send, so a long fan-out keeps to
    the rate instead of drifting below it.
    """

    target_interval: float = 0.0  # seconds between two messages to the same channel or DM
    workspace_rate: float | None = None
    burst: int | None = None

    def __post_init__(self) -> None:
        if self.target_interval < 0 or (self.workspace_rate is not None and self.workspace_rate <= 0):
            raise ValueError("rate limits must be positive")
        if self.burst is not None and self.burst < 1:
            raise ValueError("burst must be at least 1")

    @property
    def workspace_burst(self) -> int:
        if self.burst is not None:
            return self.burst
        rate = self.workspace_rate or 1.0
        if not float(rate).is_integer():
            return 1
        whole = int(rate)
        return next(k for k in range(max(1, whole // 10), 0, -1) if whole % k == 0)


# Slack: chat.postMessage allows about one message per second per channel, and keeps an undocumented
# workspace-wide limit (LINGKAR_SLACK_WORKSPACE_RATE). Teams: the adapter paces each conversation itself
# (7/s, 60/30 s); Microsoft documents 50 requests/s per app per tenant for all calls, replies included.
DEFAULT_LIMITS: Mapping[str, RateLimit] = {
    "slack": RateLimit(target_interval=1.0, workspace_rate=10.0),
    "teams": RateLimit(target_interval=0.0, workspace_rate=30.0),
}


class _Window:
    """A workspace's recent sends: at most `size` in any `period` seconds, counted on the send times."""

    def __init__(self, limit: RateLimit) -> None:
        assert limit.workspace_rate is not None
        self.size = limit.workspace_burst
        self.period = self.size / limit.workspace_rate
        self.spent: deque[float] = deque(maxlen=self.size)  # the last `size` send times, oldest first
        self.paused_until = float("-inf")  # the platform answered 429: nobody in the workspace sends before

    def ready_at(self) -> float:
        full = self.spent[0] + self.period if len(self.spent) == self.size else float("-inf")
        return max(full, self.paused_until)


class Pacer:
    """Waits before each send so that no target and no workspace goes over its platform's limits.

    One Pacer lives as long as the process's scheduler, so the pacing holds across ticks. It paces this
    process only; replicas on one PostgreSQL share each workspace's rate through `shared_pacing.SharedPacer`.
    Time is the monotonic clock, not the injected Clock: rate limits are about real seconds.
    """

    def __init__(
        self, limits: Mapping[str, RateLimit] | None = None, *, monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep, max_targets: int = 50_000,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.monotonic = monotonic
        self.sleep = sleep
        self.max_targets = max_targets
        self._next_at: OrderedDict[str, float] = OrderedDict()  # per target: not before this moment
        self._windows: dict[tuple[str, str], _Window] = {}
        self._gates: dict[tuple[str, str], asyncio.Lock] = {}

    @classmethod
    def unlimited(cls) -> Pacer:
        return cls({})

    def limit_for(self, target: Target) -> RateLimit:
        return self.limits.get(target.platform, RateLimit())

    async def _sleep_until(self, moment: float) -> None:
        # asyncio may wake a timer up to one clock resolution early: check again rather than trust it.
        while (remaining := moment - self.monotonic()) > 0:
            await self.sleep(remaining)

    async def target_turn(self, target: Target) -> None:
        """Wait until this target may receive its next message."""
        moment = self._next_at.get(target.key())
        if moment is not None:
            await self._sleep_until(moment)

    def gate(self, target: Target) -> asyncio.Lock:
        """The workspace's gate: one sender at a time waits for the workspace's next turn (FIFO), so a busy
        workspace queues behind its own gate instead of filling every concurrency slot while it waits."""
        key = (target.platform, target.workspace_id)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = asyncio.Lock()
        return gate

    def _window(self, target: Target) -> _Window | None:
        limit = self.limit_for(target)
        if limit.workspace_rate is None:
            return None
        key = (target.platform, target.workspace_id)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(limit)
        return window

    def ready(self, target: Target) -> bool:
        window = self._window(target)
        return window is None or window.ready_at() <= self.monotonic()

    async def until_ready(self, target: Target) -> None:
        """Wait (holding the gate) until the workspace may send; a 429 arriving meanwhile extends the wait."""
        window = self._window(target)
        while window is not None and (moment := window.ready_at()) > self.monotonic():
            await self._sleep_until(moment)

    def take(self, target: Target) -> float:
        """Use the workspace's turn now (call when ready, holding the gate); returns the moment (monotonic)."""
        now = self.monotonic()
        window = self._window(target)
        if window is not None:
            window.spent.append(now)
        return now

    async def workspace_turn(self, target: Target) -> float:
        """Wait for the workspace's next turn and take it."""
        async with self.gate(target):
            await self.until_ready(target)
            return self.take(target)

    def sent(self, target: Target, *, at: float) -> None:
        """Record a send that started at `at`, so the target's next message keeps its distance."""
        interval = self.limit_for(target).target_interval
        if interval > 0:
            self._push(target.key(), at + interval)

    def hold(self, target: Target, seconds: float) -> None:
        """The platform said to come back later (Retry-After): this target, and its workspace, wait that long.

        We pace each channel ourselves, so a 429 most likely means the workspace-wide limit (other replicas,
        interactive replies): pausing the whole workspace briefly is what stops a storm of them.
        """
        until = self.monotonic() + max(0.0, seconds)
        self._push(target.key(), until)
        window = self._window(target)
        if window is not None:
            window.paused_until = max(window.paused_until, until)

    def _push(self, key: str, moment: float) -> None:
        self._next_at[key] = max(moment, self._next_at.get(key, moment))
        self._next_at.move_to_end(key)
        while len(self._next_at) > self.max_targets:  # forget the longest-idle targets; their gaps have passed
            self._next_at.popitem(last=False)
