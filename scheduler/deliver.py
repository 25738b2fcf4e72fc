"""The deliverer: claim due deliveries under a lease, send them paced and bounded, record each outcome.

Guarantees (docs/benchmarks.md, "Fan-out and delivery guarantees", has the measurements):
- Zero losses: a delivery leaves `pending`/`sending` only as sent, skipped (with a reason) or failed (visible,
  with `last_error`). A worker that dies mid-send leaves its rows `sending`; when the lease runs out, another
  claim takes them again.
- At most the in-flight items are sent twice, and only after a crash or a lost lease (a write the database
  drops is retried with backoff while the lease holds, so a database hiccup is not a lost lease): a send happens while
  the worker holds the row's lease with at least two send timeouts to spare, and the outcome is recorded
  before the concurrency slot is released, so at most `concurrency` rows per worker are ever between
  "the platform accepted it" and "the database knows". Platforms offer no idempotency key for posts, so
  no design can close that window entirely.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import timedelta

from bot.kernel.ports import Clock, Messenger
from scheduler.pacing import Pacer
from scheduler.report import Backoff, DeliveryReport
from scheduler.sending import DeliveryRun
from storage.uow import UnitOfWork

__all__ = ["Backoff", "DeliveryReport", "deliver_due"]


async def deliver_due(
    *,
    uow_factory: Callable[[], UnitOfWork],
    messenger: Messenger,
    clock: Clock,
    worker_id: str,
    limit: int = 10_000,
    lease_seconds: float = 300.0,
    concurrency: int = 16,
    batch: int = 100,
    send_timeout: float = 60.0,
    max_attempts: int = 8,
    pacer: Pacer | None = None,
    backoff: Backoff | None = None,
    stop: asyncio.Event | None = None,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send what is due now (at most `limit` claims), then return what happened.

    Claims go in batches while earlier ones are still sending, so a large fan-out runs at the pace the
    platform allows instead of stopping at every batch boundary. Each target's deliveries go out in order,
    one at a time; targets run side by side, at most `concurrency` sends at once. `stop` ends the run early:
    rows not tried yet go back to `pending`.
    """
    if not worker_id or len(worker_id) > 64:
        raise ValueError("worker_id must be 1-64 characters")
    if lease_seconds <= 2 * send_timeout:
        raise ValueError("the lease must outlast two send timeouts, or a slow send could be taken over mid-way")
    if concurrency < 1 or batch < 1 or max_attempts < 1:
        raise ValueError("concurrency, batch and max_attempts must be positive")
    run = DeliveryRun(
        uow_factory=uow_factory, messenger=messenger, clock=clock, worker_id=worker_id, limit=limit,
        lease=timedelta(seconds=lease_seconds), concurrency=concurrency, batch=batch,
        send_timeout=send_timeout, max_attempts=max_attempts, pacer=pacer or Pacer(),
        backoff=backoff or Backoff(), stop=stop or asyncio.Event(), rng=rng or random.Random(),
    )
    await run.go()
    return run.report
