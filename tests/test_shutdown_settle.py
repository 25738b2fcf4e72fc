"""settle(): the wait a graceful shutdown gives background work (Slack and Teams replies) before the database closes."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from adapters.shutdown import settle


async def test_settle_waits_for_work_spawned_meanwhile_and_cuts_what_outlives_the_grace() -> None:
    tasks: set[asyncio.Task[None]] = set()
    finished: list[str] = []

    def spawn(coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def quick(name: str, *, then: Coroutine[Any, Any, None] | None = None) -> None:
        await asyncio.sleep(0)
        if then is not None:
            spawn(then)
        finished.append(name)

    spawn(quick("first", then=quick("spawned by first")))
    assert await settle(tasks, grace_seconds=None) == 0
    assert finished == ["first", "spawned by first"] and not tasks

    never = asyncio.Event()
    spawn(quick("on time"))
    spawn(never.wait())  # type: ignore[arg-type]
    assert await settle(tasks, grace_seconds=0.05) == 1  # cut, not left running behind a closed database
    assert finished[-1] == "on time" and not tasks
