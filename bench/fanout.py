"""Benchmark a week's fan-out: plan and deliver one prompt to each of 2,000 circle channels under Slack's limits.

Prints figures only (no asserts): time to plan (the real planners, `bot.kernel.planning.plan`), time to deliver
through a platform stand-in that enforces Slack's limits (1 message per second per channel, a workspace-wide
cap per second, 429 + Retry-After when exceeded), the lower bound those limits allow, duplicates, losses,
429s and CPU time per delivery. SQLite in a file always; PostgreSQL too when LINGKAR_TEST_DATABASE_URL is set.
`--replicas N` runs N deliverers side by side, each with its own engine and pacer, as N `lingkar serve` processes
would; they pace the workspace together through the database (`scheduler.shared_pacing`) as bootstrap does on
PostgreSQL, or each alone (`--pacing local`, what bootstrap does on SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from datetime import date, datetime, timedelta

# Run as a script from anywhere: make the repository root importable.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import text
from sqlmodel import SQLModel, col, func, select

import storage.tables  # noqa: F401  (every table on the metadata)
from adapters.bootstrap import capabilities
from bot.kernel.capability import planners
from bot.kernel.clock import SystemClock
from bot.kernel.config import CoreConfig
from bot.kernel.messages import Form, Message
from bot.kernel.planning import plan
from bot.kernel.ports import DeliveryError, MessageRef, SpaceRef, Target
from bot.sessions.timing import prompt_due
from scheduler.deliver import DeliveryReport, deliver_due
from scheduler.pacing import Pacer, RateLimit
from scheduler.shared_pacing import SharedPacer
from storage.engine import make_engine, make_session_factory
from storage.tables import Circle, Delivery, DeliveryStatus, Program, ProgramState
from storage.uow import UnitOfWork

TOLERANCE = 0.001  # a server cannot tell a millisecond apart; the stand-in forgives that much


class SlackLimits:
    """chat.postMessage as Slack documents it: about 1 message per second per channel, and a workspace-wide
    limit (here `workspace_rate` per rolling second). Over either: 429 with Retry-After: 1, nothing posted."""

    def __init__(self, *, workspace_rate: float, latency: float) -> None:
        self.workspace_rate = workspace_rate
        self.latency = latency
        self.last: dict[str, float] = {}
        self.window: deque[float] = deque()
        self.posted: Counter[str] = Counter()  # channel -> messages posted
        self.rejected: Counter[str] = Counter()

    async def send(self, target: Target, message: Message) -> MessageRef:
        now = time.monotonic()  # the request arrives; the verdict is immediate, the answer takes `latency`
        while self.window and now - self.window[0] >= 1.0 - TOLERANCE:
            self.window.popleft()
        last = self.last.get(target.ref)
        if last is not None and now - last < 1.0 - TOLERANCE:
            self.rejected["channel"] += 1
            raise DeliveryError("Slack answered 429 (channel rate)", retry_after=1.0)
        if len(self.window) >= self.workspace_rate:
            self.rejected["workspace"] += 1
            raise DeliveryError("Slack answered 429 (workspace rate)", retry_after=1.0)
        self.window.append(now)
        self.last[target.ref] = now
        self.posted[target.ref] += 1
        await asyncio.sleep(self.latency)
        return MessageRef(target=target, message_id=f"{now:.6f}")

    async def update(self, ref: MessageRef, message: Message) -> None:
        raise NotImplementedError

    async def open_space(self, *, workspace_id: str, platform: str, name: str, members: list[str],
                         private: bool = True, parent: Target | None = None,
                         group_chat: bool = False) -> SpaceRef:
        raise NotImplementedError

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None:
        raise NotImplementedError

    async def archive_space(self, space: Target) -> None:
        raise NotImplementedError

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        raise NotImplementedError

    async def open_form(self, actor_context: str, form: Form) -> None:
        raise NotImplementedError

    async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef:
        raise NotImplementedError

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        raise NotImplementedError


class ShiftedClock:
    """Real seconds, moved to the program's calendar: leases and Retry-After pass in real time."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - SystemClock().now()

    def now(self) -> datetime:
        return SystemClock().now() + self.offset


async def seed(uow: Callable[[], UnitOfWork], circles: int) -> Program:
    created = datetime(2026, 1, 1, tzinfo=SystemClock().now().tzinfo)
    async with uow() as unit:
        workspace = await unit.workspaces.get_or_create(platform="slack", external_id="T0BENCH", now=created)
        program = Program(workspace_id=workspace.id or 0, name="Bench circles", slug="bench", created_at=created,
                          state=ProgramState.RUNNING, start_date=date(2026, 1, 5), timezone="Asia/Jakarta")
        unit.programs.add(program)
        await unit.commit()
        for n in range(circles):
            space = Target(platform="slack", workspace_id="T0BENCH", kind="channel", ref=f"C{n:07}")
            unit.session.add(Circle(workspace_id=workspace.id or 0, program_id=program.id or 0,
                                    name=f"Circle {n}", space=space.key(), created_at=created))
        await unit.commit()
        return program


async def left(uow: Callable[[], UnitOfWork]) -> int:
    async with uow() as unit:
        found = await unit.session.exec(select(func.count()).select_from(Delivery).where(
            col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])))
        return int(found.one())


async def statuses(uow: Callable[[], UnitOfWork]) -> Counter[str]:
    async with uow() as unit:
        rows = (await unit.session.exec(select(Delivery.status, func.count()).group_by(Delivery.status))).all()
        return Counter({status: int(n) for status, n in rows})


async def run(label: str, url: str, schema: str | None, args: argparse.Namespace) -> None:
    engine = make_engine(url, schema=schema)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    sessions = make_session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    program = await seed(uow, args.circles)
    moment = prompt_due(program, 0) + timedelta(minutes=1)  # the first session's prompt is due
    started = time.perf_counter()
    planned = await plan(uow, now=moment, config=CoreConfig(), planners=planners(capabilities()))
    plan_seconds = time.perf_counter() - started
    started = time.perf_counter()
    replanned = await plan(uow, now=moment + timedelta(minutes=1), config=CoreConfig(),
                           planners=planners(capabilities()))
    replan_seconds = time.perf_counter() - started

    platform = SlackLimits(workspace_rate=args.rate, latency=args.latency)
    limits = {"slack": RateLimit(target_interval=1.0, workspace_rate=args.pace_rate or args.rate)}
    clock = ShiftedClock(moment)
    total = DeliveryReport()

    pacing = pacing_of(label, args)
    pacers: list[Pacer] = []

    async def replica(worker: str) -> None:
        """One process's ticks, back to back: its own engine and its own pacer (shared: through the database)."""
        own = make_engine(url, schema=schema)
        own_sessions = make_session_factory(own)
        pacer = (SharedPacer(limits, uow_factory=lambda: UnitOfWork(own_sessions)) if pacing == "shared"
                 else Pacer({} if pacing == "none" else limits))
        pacers.append(pacer)
        try:
            while True:
                report = await deliver_due(uow_factory=lambda: UnitOfWork(own_sessions), messenger=platform,
                                           clock=clock, worker_id=worker, concurrency=args.concurrency,
                                           batch=args.batch, pacer=pacer)
                total.absorb(report)
                if await left(uow) == 0:
                    return
                if report.claimed == 0:  # only retries waiting for their Retry-After are left
                    await asyncio.sleep(0.05)
        finally:
            await own.dispose()

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(replica(f"bench-{n}") for n in range(args.replicas)))
    deliver_seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    outcome = await statuses(uow)
    await engine.dispose()

    channels = {f"C{n:07}" for n in range(args.circles)}
    duplicates = sum(n - 1 for n in platform.posted.values() if n > 1)
    losses = len(channels - set(platform.posted))
    bound = args.circles / args.rate
    print(f"\n== {label}: {args.circles:,} circles, workspace cap {args.rate:g}/s, 1/s per channel, "
          f"latency {args.latency * 1000:.0f} ms, concurrency {args.concurrency}, {args.replicas} replica(s) "
          f"{'with NO pacing' if pacing == 'none' else f'pacing {pacing} at {args.pace_rate or args.rate:g}/s'}")
    print(f"plan (bot.kernel.planning.plan, all planners): {plan_seconds:.2f} s, queued {planned.total:,} "
          f"({', '.join(f'{k} {v}' for k, v in planned.queued.items() if v)})")
    print(f"plan again (idempotent): {replan_seconds:.2f} s, queued {replanned.total}")
    print(f"deliver: {deliver_seconds:.2f} s; lower bound {args.circles:,} / {args.rate:g} = {bound:.2f} s; "
          f"ratio {deliver_seconds / bound:.3f}")
    print(f"posted {sum(platform.posted.values()):,}, duplicates {duplicates}, losses {losses}, "
          f"429s {sum(platform.rejected.values())} {dict(platform.rejected)}, rows {dict(outcome)}")
    print(f"deliverer: sent {total.sent:,}, retried {total.retried}, deferred {total.deferred}, "
          f"failed {total.failed}; CPU {cpu_seconds:.2f} s = {cpu_seconds / max(1, total.sent) * 1000:.2f} ms "
          f"per delivery (this process: deliverer, driver{', SQLite' if label == 'SQLite' else ''})")
    reserved = sum(p.reservations for p in pacers if isinstance(p, SharedPacer))
    if pacing == "shared":
        print(f"slot reservations in the database: {reserved:,} ({total.sent / max(1, reserved):.1f} sends each)")


def pacing_of(label: str, args: argparse.Namespace) -> str:
    """`auto` is bootstrap's choice: shared through PostgreSQL, in process on SQLite (one process)."""
    if args.no_pacing:
        return "none"
    if args.pacing == "auto":
        return "shared" if label == "PostgreSQL" else "local"
    return str(args.pacing)


async def main(args: argparse.Namespace) -> None:
    if not args.postgresql_only:
        with tempfile.TemporaryDirectory() as folder:
            await run("SQLite", f"sqlite+aiosqlite:///{folder}/fanout.db", None, args)
    url = os.environ.get("LINGKAR_TEST_DATABASE_URL", "")
    if url and not args.sqlite_only:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            await run("PostgreSQL", url, schema, args)
        finally:
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--circles", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=50.0, help="the workspace-wide cap, messages per second")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds Slack takes to answer a post")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--no-pacing", action="store_true", help="send as fast as possible and rely on 429s")
    parser.add_argument("--replicas", type=int, default=1, help="deliverers side by side, each with its own engine")
    parser.add_argument("--pacing", choices=("auto", "shared", "local", "none"), default="auto",
                        help="shared: through the database; local: each replica alone; auto: shared on PostgreSQL")
    parser.add_argument("--pace-rate", type=float, default=0.0,
                        help="LINGKAR_SLACK_WORKSPACE_RATE for each replica (default: the cap)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgresql-only", action="store_true")
    asyncio.run(main(parser.parse_args()))
