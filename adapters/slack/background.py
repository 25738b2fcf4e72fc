"""Work that goes on after Slack got its ack, and the event ids already taken (Slack retries some events)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("adapters.slack.app")  # the logger these messages always had


class Background:
    """Work that continues after Slack got its answer: tracked, so tests and a shutdown can wait for it."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], *, what: str) -> None:
        task = asyncio.create_task(self._guarded(work, what))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("Slack: unexpected error in %s", what)

    async def drain(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


class RecentEvents:
    """Event ids already handled. Slack retries an event it thinks we missed (X-Slack-Retry-Num); a bounded LRU
    in this process drops the repeats. Several replicas would need a shared store (the database)."""

    def __init__(self, *, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        if event_id in self._seen:
            self._seen.move_to_end(event_id)
            return False
        self._seen[event_id] = None
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True
