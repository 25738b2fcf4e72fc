"""The measurements of bench/scale.py, each through the product's own entry points on the seeded database.

The App is built by `adapters.bootstrap.bootstrap` with a manual clock and fake messengers (as tests and the demo
do); ticks are `App.plan`, commands `Core.handle` with real Commands. Each measurement can run alone.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.settings import Settings
from bench.scale_store import Store
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
    settings = Settings(LINGKAR_DATABASE_URL=url, LINGKAR_LOG_LEVEL="WARNING", LINGKAR_SECRET_KEY="bench-scale-secret")
    app = await bootstrap(settings, clock=clock, messenger_overrides=fakes, migrate=False, schema=schema)
    gc.collect()
    gc.freeze()  # as `lingkar serve` does after start-up (adapters/server.serve)
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
Measurement = Callable[[Store], Awaitable[list[Figure]]]


def measurements() -> dict[str, Measurement]:
    """Every measurement by name, in the order `measure` runs them (the ticks first: they catch up after seeding)."""
    from bench import scale_ops, scale_serve

    return {"tick": scale_ops.tick, "weekly-digest": scale_ops.weekly_digest,
            "digest": scale_ops.digest, "export": scale_ops.export,
            "mydata": scale_ops.my_data, "forget": scale_ops.forget_me, "form": scale_ops.program_form,
            "serve": scale_serve.serve, "serve-web": scale_serve.serve_web, "ack": scale_serve.ack}


def measure_apart(url: str, *, only: list[str]) -> list[Figure]:
    """Each measurement in a fresh process (`bench/scale.py measure --only NAME`), so none inherits another's heap:
    RSS growth is the process's own. Prints their figures as they come and the table of all at the end."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        for name in only:
            out = Path(folder) / f"{name}.json"
            subprocess.run([sys.executable, str(Path(__file__).with_name("scale.py")), "measure", "--only", name,
                            "--database-url", url, "--figures-json", str(out), "--no-table"], check=False)
            if out.exists():
                figures.extend(Figure(**row) for row in json.loads(out.read_text()))
            else:
                figures.append(Figure(f"{name}: FAILED", float("nan"), "", "", False, "the process wrote no figures"))
    table(figures, url=url)
    return figures


async def measure(url: str, *, only: list[str], schema: str | None = None, figures_json: str = "",
                  show_table: bool = True) -> list[Figure]:
    """Run `only` in this process, print each figure as it comes and a table of all of them against the targets."""
    found = measurements()
    figures: list[Figure] = []
    for name in only:
        began = time.perf_counter()
        try:
            got = await found[name](Store(url, schema=schema))
        except Exception as error:  # one broken measurement must not hide the others' figures
            got = [Figure(f"{name}: FAILED", float("nan"), "", "", False, f"{type(error).__name__}: {error}")]
        for figure in got:
            print(f"  {figure.name}: {figure.value:,.2f} {figure.unit}  {figure.note}", flush=True)
        print(f"  ({name} took {time.perf_counter() - began:.0f} s)", flush=True)
        figures.extend(got)
    if figures_json:
        _write_figures(figures_json, figures)
    if show_table:
        table(figures, url=url)
    return figures


def _write_figures(path: str, figures: list[Figure]) -> None:
    Path(path).write_text(json.dumps([asdict(f) for f in figures]))


def table(figures: list[Figure], *, url: str) -> None:
    from rich.console import Console
    from rich.table import Table

    shown = Table(title=f"Issue 18 figures on {url.split('://')[0]}", show_lines=False)
    for column in ("measurement", "figure", "target", "met", "note"):
        shown.add_column(column, overflow="fold")
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        shown.add_row(f.name, f"{f.value:,.2f} {f.unit}", f.target, met, f.note)
    Console(width=160).print(shown)
