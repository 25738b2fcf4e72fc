"""Graceful shutdown for `lingkar serve`: the signals, the requests in flight, background work against a deadline."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def settle(tasks: set[asyncio.Task[Any]], *, grace_seconds: float | None = None) -> int:
    """Wait for `tasks`, and for any task they add to the set meanwhile. When `grace_seconds` run out first,
    cancel what is left and return how many that was (0: everything finished). asyncio.wait, not gather: a
    wait that ends must not cancel work that a later, longer one could still let finish."""
    loop = asyncio.get_running_loop()
    deadline = None if grace_seconds is None else loop.time() + grace_seconds
    while tasks:
        left = None if deadline is None else deadline - loop.time()
        if left is not None and left <= 0:
            cut = [task for task in tasks if not task.done()]
            for task in cut:
                task.cancel()
            await asyncio.gather(*cut, return_exceptions=True)
            return len(cut)
        await asyncio.wait(list(tasks), timeout=left)
    return 0


class InFlight:
    """Counts the HTTP requests being handled, so a shutdown knows how many to wait for."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def middleware(self) -> Middleware:
        @web.middleware
        async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
            self.count += 1
            self._idle.clear()
            try:
                return await handler(request)
            finally:
                self.count -= 1
                if self.count == 0:
                    self._idle.set()

        return count

    async def wait_idle(self, *, grace_seconds: float) -> bool:
        """True when no request is left; False when the grace ran out first (aiohttp's cleanup cuts the rest)."""
        try:
            await asyncio.wait_for(self._idle.wait(), max(0.0, grace_seconds))
        except TimeoutError:
            return self.count == 0
        return True


class Stop:
    """SIGTERM or SIGINT once: `requested` is set and the process winds down. A second one while it does: the
    process ends at once with 128 + the signal's number (what a shell reports for a process a signal killed);
    replies still being prepared are lost and claimed deliveries wait for their lease."""

    def __init__(self) -> None:
        self.requested = asyncio.Event()
        self.signal_name = ""

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.add_signal_handler(signum, self._received, signum)

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.remove_signal_handler(signum)

    def _received(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if not self.requested.is_set():
            self.signal_name = name
            self.requested.set()
            return
        log.error("second signal (%s) while stopping: exiting now; claimed deliveries come back when their lease "
                  "runs out", name)
        logging.shutdown()  # flush the line above: os._exit skips every other cleanup
        os._exit(128 + signum)


class Scheduler(Protocol):
    async def shutdown(self, *, grace_seconds: float = ...) -> None: ...


@dataclass
class WindDown:
    """What a graceful stop finishes, in order, all within one grace period."""

    runner: web.AppRunner
    in_flight: InFlight
    scheduler: Scheduler
    backgrounds: Sequence[set[asyncio.Task[Any]]] = ()  # the platforms' work after their answer (replies)
    drains: Sequence[Callable[..., Awaitable[int]]] = ()  # each `drain(grace_seconds=...)`: how many it cut
    before: Sequence[Callable[[], Awaitable[None]]] = ()  # e.g. closing Socket Mode: no new events

    async def run(self, *, grace: float, signal_name: str) -> bool:
        """Stop accepting, then let requests, background replies and the scheduler's sends finish within
        `grace` seconds. True when everything finished in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        background = sum(len(tasks) for tasks in self.backgrounds)
        log.warning("stopping (%s): finishing %d requests and %d background replies, and the messages being sent, "
                    "within %gs", signal_name or "asked", self.in_flight.count, background, grace)
        for site in list(self.runner.sites):
            await site.stop()  # the listening socket closes: new connections are refused
        if self.runner.server is not None:
            self.runner.server.pre_shutdown()  # keep-alive connections close once their request is answered
        for step in self.before:
            await step()
        # The scheduler stops claiming at once; its sends in flight finish and unsent claims go back to pending.
        scheduler = asyncio.create_task(self.scheduler.shutdown(grace_seconds=max(0.0, deadline - loop.time())))
        requests_done = await self.in_flight.wait_idle(grace_seconds=deadline - loop.time())
        cut = 0
        for drain in self.drains:  # after the requests: a request may still hand work to the background
            cut += await drain(grace_seconds=max(0.0, deadline - loop.time()))
        await scheduler
        if requests_done and not cut:
            log.warning("stopped in %.1fs: every request, reply and send under way finished",
                        grace - (deadline - loop.time()))
            return True
        log.warning("the grace of %gs ran out: %d requests and %d background replies cut short", grace,
                    self.in_flight.count, cut)
        return False
