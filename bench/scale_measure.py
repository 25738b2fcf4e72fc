"""The measurements of bench/scale.py, each through the product's own entry points on the seeded database.

The App is built by `adapters.bootstrap.bootstrap` with a manual clock and fake messengers (as tests and the demo
do); ticks are `App.plan`, commands `Core.handle` with real Commands. Each measurement can run alone.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.settings import Settings
from bot.kernel.calendar import session_time
from bot.kernel.clock import ManualClock
from bot.sessions.timing import prompt_due
from storage.tables import Program


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    met: bool | None
    note: str = ""


@asynccontextmanager
async def built(url: str, *, schema: str | None = None, now: datetime | None = None) -> AsyncIterator[App]:
    clock = ManualClock(now or datetime.now().astimezone())
    fakes = {"slack": LocalMessenger(), "teams": LocalMessenger(), "local": LocalMessenger()}
    settings = Settings(LINGKAR_DATABASE_URL=url, LINGKAR_LOG_LEVEL="WARNING")
    app = await bootstrap(settings, clock=clock, messenger_overrides=fakes, migrate=False, schema=schema)
    try:
        yield app
    finally:
        await app.close()


async def largest_program(app: App) -> Program:
    async with app.uow() as uow:
        found = await uow.programs.by_slug(workspace_id=1, slug="bench-1")
    assert found is not None, "not a seeded bench database (bench/scale.py seed)"
    return found


async def next_prompt_due(app: App) -> datetime:
    """The first session of the largest program whose prompt is not planned yet, and when that prompt falls due."""
    program = await largest_program(app)
    async with app.engine.connect() as connection:
        circle = (await connection.execute(text("SELECT min(id) FROM circle WHERE program_id = :p"),
                                           {"p": program.id})).scalar_one()
        planned = (await connection.execute(text("SELECT count(*) FROM delivery WHERE key LIKE :k"),
                                            {"k": f"prompt:{circle}:%"})).scalar_one()
    assert session_time(program, int(planned)) is not None
    return prompt_due(program, int(planned))


async def settle(url: str, *, schema: str | None = None) -> None:
    """One tick before the next prompts fall due: what the seeded history does not hold (missed check-in flags,
    pair meetings, poll reminders) is planned or noted stale now, as a deployment would have; what it queued is
    marked sent, as a running deployment's deliverer would have sent it."""
    async with built(url, schema=schema) as app:
        at = await next_prompt_due(app) - timedelta(minutes=30)
        began = time.perf_counter()
        report = await app.plan(now=at)
        spent = time.perf_counter() - began
        async with app.engine.begin() as connection:
            marked = (await connection.execute(text(SENT_ALL))).rowcount
    print(f"  settle tick (first tick after seeding): {spent:.1f} s, queued {report.total:,} "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(report.queued.items()) if v)}); marked {marked:,} sent")


SENT_ALL = "UPDATE delivery SET status = 'sent', attempts = 1, sent_at = due_at WHERE status = 'pending'"
Measurement = Callable[[str], Awaitable[list[Figure]]]
MEASUREMENTS: dict[str, Measurement] = {}


async def measure(url: str, *, only: list[str]) -> list[Figure]:
    figures: list[Figure] = []
    for name in only:
        figures.extend(await MEASUREMENTS[name](url))
    return figures
