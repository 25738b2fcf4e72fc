"""Work that goes on after Slack got its ack, and the event ids already taken (Slack retries some events)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from adapters.shutdown import settle
from storage.uow import UnitOfWork

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

    async def drain(self, *, grace_seconds: float | None = None) -> int:
        """Wait for the work under way; past `grace_seconds` cancel the rest and return how much that was."""
        return await settle(self.tasks, grace_seconds=grace_seconds)


class RecentEvents:
    """Event ids already handled, in the database (seen_event). Slack retries an event it thinks we missed
    (X-Slack-Retry-Num), and the retry may reach another replica: the first replica to record the id handles it,
    every later delivery is dropped. The scheduler sweeps ids older than Slack's retries (a day)."""

    def __init__(self, uow: Callable[[], UnitOfWork], *, now: Callable[[], datetime]) -> None:
        self._uow = uow
        self.now = now

    async def first(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        async with self._uow() as uow:
            fresh = await uow.kept.first_sight(event_id=event_id[:128], now=self.now())
            await uow.commit()
        return fresh
