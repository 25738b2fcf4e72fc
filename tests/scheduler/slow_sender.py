"""A delivery worker for the crash test: `python -m tests.scheduler.slow_sender`, killed with -9 mid-way.

It sends through a platform stand-in that appends each accepted message's text to a file (the platform's
own record, which survives the kill), then answers slowly, so that a kill often lands between "accepted"
and "recorded in the database". It runs until no delivery is pending or leased any more.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TextIO

from sqlmodel import col, func, select

from bot.kernel.clock import SystemClock
from bot.kernel.messages import Message
from bot.kernel.ports import MessageRef, Target
from scheduler.deliver import deliver_due
from scheduler.pacing import Pacer
from storage.engine import make_engine, make_session_factory
from storage.tables import Delivery, DeliveryStatus
from storage.uow import UnitOfWork
from tests.scheduler.support import Recorder


class Platform(Recorder):
    def __init__(self, out: TextIO, *, before: float, after: float) -> None:
        super().__init__()
        self.out, self.before, self.after = out, before, after

    async def send(self, target: Target, message: Message) -> MessageRef:
        await asyncio.sleep(self.before)
        self.out.write(message.text + "\n")
        self.out.flush()  # the platform has posted it: a kill from here on cannot take it back
        await asyncio.sleep(self.after)
        return MessageRef(target=target, message_id=message.text)


async def main(args: argparse.Namespace, out: TextIO) -> None:
    engine = make_engine(args.url, schema=args.schema or None)
    sessions = make_session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    platform = Platform(out, before=args.before, after=args.after)
    while True:
        report = await deliver_due(uow_factory=uow, messenger=platform, clock=SystemClock(),
                                   worker_id=args.worker, lease_seconds=args.lease,
                                   send_timeout=args.lease / 4, concurrency=args.concurrency,
                                   batch=args.batch, pacer=Pacer.unlimited())
        async with uow() as unit:
            left = (await unit.session.exec(select(func.count()).select_from(Delivery).where(
                col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])))).one()
        if left == 0:
            break
        if report.claimed == 0:  # what is left is leased by a dead worker: wait for the lease to run out
            await asyncio.sleep(0.1)
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--before", type=float, default=0.02)
    parser.add_argument("--after", type=float, default=0.05)
    arguments = parser.parse_args()
    with open(arguments.out, "a", encoding="utf-8") as platform_log:
        asyncio.run(main(arguments, platform_log))
