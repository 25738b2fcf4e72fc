"""What bench/scale.py measures in-process: ticks, the digest, export, `my data`, `forget me` and `program form`.

Each goes through the product: `App.plan` for ticks, `Core.handle` with the Command or Action a member sends.
Measurements that change the database leave it as they found it: rows they added are deleted by id watermark
(ticks), or the seeded snapshot is restored (`forget me`, `program form`; bench/scale_store.Snapshot).
"""

from __future__ import annotations

import gc
import tracemalloc
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import perf_counter as timer

from sqlalchemy import text

from adapters.bootstrap import App
from bench.scale_measure import Figure, built, largest_program, next_prompt_due
from bench.scale_store import Snapshot, Store
from bot.kernel.events import Action, Actor, Command
from bot.kernel.replies import Reply, Response

ADMIN = Actor("slack", "T1", "U0001", locale="en")  # workspace admin of T1, creator of every T1 program
STAR = Actor("slack", "T1", "U0000", locale="en")  # the member with the most history
FORMING_SLUG = "bench-20"


def _said(responses: list[Response]) -> str:
    return " | ".join(r.message.text[:160].replace("\n", " ") for r in responses if isinstance(r, Reply))


async def _scalar(app: App, sql: str, **params: object) -> int:
    async with app.engine.connect() as connection:
        return int((await connection.execute(text(sql), params)).scalar_one() or 0)


def _busiest(queued: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in sorted(queued.items(), key=lambda kv: -kv[1])[:4] if n)


async def tick(db: Store) -> list[Figure]:
    """An idle tick (nothing due: half an hour before the next prompts), then the tick at which every running
    circle's prompt is due. What the due tick added is deleted afterwards, so it can be measured again."""
    async with built(db.url, schema=db.schema) as app:
        due = await next_prompt_due(app)
        figures: list[Figure] = []
        for attempt in range(3):  # the first tick after seeding may still catch up (missed flags, pair meetings)
            began = timer()
            report = await app.plan(now=due - timedelta(minutes=30))
            spent = timer() - began
            if report.total == 0:
                break
            figures.append(Figure(f"catch-up tick {attempt + 1} (first after seeding)", spent, "s", "", None,
                                  f"queued {report.total:,} ({_busiest(report.queued)})"))
        figures.append(Figure("idle tick (nothing due)", spent * 1000, "ms", "< 200 ms", spent < 0.2,
                              f"queued {report.total}"))
        marks = await _marks(app, ("delivery", "circleprompt"))
        began = timer()
        report = await app.plan(now=due + timedelta(minutes=5))
        spent = timer() - began
        circles = await _scalar(app, "SELECT count(*) FROM circle WHERE status = 'active' AND space <> ''")
        prompts = report.queued.get("plan_prompts", 0)
        figures.append(Figure("planning tick, every circle's prompt due", spent, "s", "< 5 s", spent < 5,
                              f"{prompts:,} prompts of {circles:,} circles, {report.total:,} queued in all "
                              f"({_busiest(report.queued)}); {spent / max(1, prompts) * 1000:.1f} ms per prompt"))
        await _drop_above(app, marks)
    return figures


async def digest(db: Store) -> list[Figure]:
    """`digest now` by the admin of the largest program (their workspace's digest, every program in it)."""
    async with built(db.url, schema=db.schema) as app:
        program = await largest_program(app)
        members = await _scalar(app, "SELECT count(*) FROM enrollment WHERE program_id = :p AND status = 'active'",
                                p=program.id)
        await app.core.handle(Command(ADMIN, "help"))  # warm: imports, translations, the admin's member row
        figures = []
        for label in ("first", "second"):
            began = timer()
            said = await app.core.handle(Command(ADMIN, "digest now"))
            spent = timer() - began
            figures.append(Figure(f"`digest now` ({label} run)", spent * 1000, "ms", "< 500 ms", spent < 0.5,
                                  f"workspace T1: 11 programs, the largest {members:,} members; "
                                  f"reply {len(_said(said))} chars"))
    return figures


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM, the peak RSS, starts again from the current RSS


async def _marks(app: App, tables: tuple[str, ...]) -> dict[str, int]:
    """The highest id of each table now: what a measurement adds above it is removed by `_drop_above`."""
    return {t: await _scalar(app, f'SELECT coalesce(max(id), 0) FROM "{t}"') for t in tables}


async def _drop_above(app: App, marks: dict[str, int]) -> None:
    async with app.engine.begin() as connection:
        for table, mark in marks.items():
            await connection.execute(text(f'DELETE FROM "{table}" WHERE id > :m'), {"m": mark})


async def export(db: Store) -> list[Figure]:
    """`export bench-1`: its time and the process's peak RSS growth (VmHWM reset just before), then, in a second
    run, tracemalloc's peak of what Python allocated."""
    async with built(db.url, schema=db.schema) as app:
        program = await largest_program(app)
        checkins = await _scalar(app, "SELECT count(*) FROM checkin WHERE program_id = :p", p=program.id)
        await app.core.handle(Command(ADMIN, "help"))
        marks = await _marks(app, ("delivery",))
        gc.collect()
        _reset_peak_rss()
        before = _status_kib("VmRSS")
        began = timer()
        said = await app.core.handle(Command(ADMIN, f"export {program.slug}"))
        spent = timer() - began
        peak_growth, kept = (_status_kib("VmHWM") - before) / 1024, (_status_kib("VmRSS") - before) / 1024
        tracemalloc.start()
        await app.core.handle(Command(ADMIN, f"export {program.slug}"))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        await _drop_above(app, marks)  # the queued zips
    note = f"{checkins:,} check-ins in the program; {_said(said)[:100]}"
    return [Figure("`export` of the largest program: time", spent, "s", "", None, note),
            Figure("`export`: peak RSS growth", peak_growth, "MiB", "< 50 MB", peak_growth < 50 * 1e6 / 2**20,
                   f"first run; {kept:.1f} MiB still held after it"),
            Figure("`export`: tracemalloc peak", peak / 2**20, "MiB", "", None,
                   f"second run; ≈ {peak / max(1, checkins):.0f} B per check-in")]


async def weekly_digest(db: Store) -> list[Figure]:
    """The digests planner (`bot/digest/planner.plan_digest`) for the largest program at next Monday 09:00 in
    Jakarta: builds the workspace's digest and chart and queues them to its admins; removed again afterwards."""
    from bot.digest.planner import plan_digest
    from bot.kernel.planning import PlanContext

    async with built(db.url, schema=db.schema) as app:
        program = await largest_program(app)
        due = await next_prompt_due(app)
        monday = due.date() + timedelta(days=(7 - due.weekday()) % 7 or 7)
        at = datetime.combine(monday, time(2, 5), tzinfo=UTC)  # 09:05 in Jakarta
        marks = await _marks(app, ("delivery", "digestsnapshot"))
        async with app.uow() as uow:
            workspace = await uow.workspaces.get(program.workspace_id)
            assert workspace is not None
            context = PlanContext(uow=uow, program=program, workspace=workspace, now=at, config=app.services.config,
                                  hooks=app.core.routes.hooks, services=app.services)
            began = timer()
            queued = await plan_digest(context)
            await uow.commit()
            spent = timer() - began
        await _drop_above(app, marks)
    return [Figure("weekly digest (planner, largest program's workspace)", spent * 1000, "ms", "< 500 ms",
                   spent < 0.5, f"queued {queued} (digest and chart per admin)")]


async def my_data(db: Store) -> list[Figure]:
    async with built(db.url, schema=db.schema) as app:
        await app.core.handle(Command(STAR, "help"))
        marks = await _marks(app, ("delivery",))
        began = timer()
        said = await app.core.handle(Command(STAR, "my data"))
        spent = timer() - began
        await _drop_above(app, marks)  # the queued file
        rows = await _scalar(app, "SELECT count(*) FROM checkin WHERE member_id = 1")
    return [Figure("`my data` (member with the most history)", spent * 1000, "ms", "< 1 s", spent < 1,
                   f"{rows:,} check-ins of theirs; {_said(said)[:80]}")]


async def forget_me(db: Store) -> list[Figure]:
    """`forget me`, then its confirm button; the seeded snapshot is restored afterwards."""
    snapshot = Snapshot(db.url, schema=db.schema)
    async with built(db.url, schema=db.schema) as app:
        await app.core.handle(Command(STAR, "help"))
        began = timer()
        await app.core.handle(Command(STAR, "forget me"))
        asked = timer() - began
        began = timer()
        said = await app.core.handle(Action(STAR, "forget.confirm:1"))
        spent = timer() - began
        erased = await _scalar(app, "SELECT count(*) FROM member WHERE id = 1 AND erased")
    await snapshot.restore()
    return [Figure("`forget me` (confirm pressed)", spent, "s", "< 2 s", spent < 2,
                   f"erased: {bool(erased)}; the question took {asked * 1000:.0f} ms; {_said(said)[:60]}")]


async def program_form(db: Store) -> list[Figure]:
    """`program form bench-20` (10,000 enrolled members at full size) end to end; the snapshot is restored after."""
    snapshot = Snapshot(db.url, schema=db.schema)
    async with built(db.url, schema=db.schema) as app:
        await app.core.handle(Command(ADMIN, "help"))
        enrolled = await _scalar(app, "SELECT count(*) FROM enrollment WHERE program_id = 20")
        marks = await _marks(app, ("circle", "circlemember", "delivery"))
        began = timer()
        said = await app.core.handle(Command(ADMIN, f"program form {FORMING_SLUG}"))
        spent = timer() - began
        added = {t: await _scalar(app, f'SELECT count(*) FROM "{t}" WHERE id > :m', m=m) for t, m in marks.items()}
        spaces = await _scalar(app, "SELECT count(*) FROM delivery WHERE id > :m AND kind = 'space'",
                               m=marks["delivery"])
    await snapshot.restore()
    return [Figure("`program form` end to end", spent, "s", "< 10 s", spent < 10,
                   f"{enrolled:,} enrolled; wrote {added['circle']:,} circles, {added['circlemember']:,} circle "
                   f"members, {added['delivery']:,} deliveries ({spaces:,} spaces queued); {_said(said)[:60]}")]
