"""The deliverer: claim due deliveries under a lease, send them paced and bounded, record each outcome.

Guarantees (docs/benchmarks-fanout.md has the measurements):
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
import logging
import random
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.kernel.message_codec import decode
from bot.kernel.ports import Clock, DeliveryError, MessageRef, Messenger, Target, UnreachableMember
from scheduler import claims
from scheduler.pacing import Pacer
from storage.repositories.outbox import file_of
from storage.tables import Delivery
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
Send = Callable[[], Awaitable[MessageRef]]
THROTTLED_PATIENCE = 4  # a delivery only ever answered 429 gets this many times max_attempts tries
LEASE_MARGIN = 0.1  # of the lease: retrying a write the database dropped stops this long before the lease ends


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter for errors that did not say when to come back (5xx, timeouts)."""

    base: float = 30.0  # seconds before the second try, roughly
    cap: float = 3600.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        """`attempts` tries made so far; half the ceiling is fixed so a retry never comes straight back."""
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return rng.uniform(ceiling / 2, ceiling)


@dataclass
class DeliveryReport:
    claimed: int = 0  # taken to be sent (skipped ones are counted in `skipped` only)
    sent: int = 0
    retried: int = 0  # tried, failed, back in the queue with next_attempt_at
    failed: int = 0  # given up: permanent error, unreachable member, or out of attempts
    skipped: Counter[str] = field(default_factory=Counter)  # by reason: stale, erased, paused
    deferred: int = 0  # not tried: its target asked us to wait (Retry-After); back in the queue
    released: int = 0  # not tried: the run was asked to stop
    lost: int = 0  # not tried: the lease was taken over before the send
    errors: int = 0  # outcome could not be recorded (database trouble): the lease will bring it back

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped_total

    def absorb(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "retried", "failed", "deferred", "released", "lost", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.update(other.skipped)


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
    run = _Run(
        uow_factory=uow_factory, messenger=messenger, clock=clock, worker_id=worker_id, limit=limit,
        lease=timedelta(seconds=lease_seconds), concurrency=concurrency, batch=batch,
        send_timeout=send_timeout, max_attempts=max_attempts, pacer=pacer or Pacer(),
        backoff=backoff or Backoff(), stop=stop or asyncio.Event(), rng=rng or random.Random(),
    )
    await run.go()
    return run.report


@dataclass
class _Run:
    uow_factory: Callable[[], UnitOfWork]
    messenger: Messenger
    clock: Clock
    worker_id: str
    limit: int
    lease: timedelta
    concurrency: int
    batch: int
    send_timeout: float
    max_attempts: int
    pacer: Pacer
    backoff: Backoff
    stop: asyncio.Event
    rng: random.Random
    report: DeliveryReport = field(default_factory=DeliveryReport)
    lanes: dict[str, deque[Delivery]] = field(default_factory=dict)  # per target, in claim order
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    throttled: dict[str, datetime] = field(default_factory=dict)  # target -> the platform's Retry-After
    committed: set[int | None] = field(default_factory=set)  # past their pacing: `stop` lets them finish
    inflight: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.concurrency)

    async def go(self) -> None:
        taken, exhausted = 0, False
        failure: Exception | None = None
        low_water, high_water = max(self.concurrency, self.batch // 2), 4 * self.batch
        try:
            while True:
                want = min(self.batch, self.limit - taken)
                if self.stop.is_set() or want <= 0:
                    exhausted = True
                # Claim more when little is left, or when few targets are busy (one long lane must not
                # starve the others), but never hold more leases than a few batches' worth.
                hungry = self.inflight < low_water or (len(self.lanes) < self.concurrency
                                                       and self.inflight < high_water)
                if not exhausted and hungry:
                    try:
                        got = await self._claim(want)
                    except Exception as error:
                        # Cancelling the sends under way could post a message and lose its record: they
                        # finish first; the next run claims again.
                        exhausted = True
                        if not claims.transient(error):
                            failure = error
                        log.warning("claiming failed (%s); the sends under way finish first", type(error).__name__)
                        continue
                    taken += got.taken
                    exhausted = got.taken < want  # nothing more is due right now
                    continue
                if not self.tasks:
                    if failure is not None:
                        raise failure
                    return
                self.wake.clear()
                await self.wake.wait()
        finally:
            pending = [t for t in self.tasks.values() if not t.done()]
            for task in pending:  # only when the run itself was cancelled: leases bring the rows back
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _claim(self, want: int) -> claims.Claim:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            got = await claims.claim(uow, worker_id=self.worker_id, now=now, lease_until=now + self.lease,
                                     limit=want, max_attempts=self.max_attempts)
        self.report.claimed += len(got.deliveries)
        self.report.skipped.update(got.skipped)
        self.report.failed += got.failed
        for delivery in got.deliveries:
            self.inflight += 1
            lane = self.lanes.setdefault(delivery.target, deque())
            lane.append(delivery)
            if delivery.target not in self.tasks:
                self.tasks[delivery.target] = asyncio.create_task(self._lane(delivery.target))
        return got

    async def _lane(self, key: str) -> None:
        queue = self.lanes[key]
        try:
            while queue:
                delivery = queue.popleft()
                try:
                    await self._one(delivery)
                except Exception:
                    self.report.errors += 1
                    log.exception("delivery %s: could not record its outcome; its lease will bring it back",
                                  delivery.id)
                finally:
                    self.inflight -= 1
                    self.wake.set()
        finally:
            self.lanes.pop(key, None)
            self.tasks.pop(key, None)
            self.wake.set()

    async def _one(self, delivery: Delivery) -> None:
        try:
            target = Target.from_key(delivery.target)
        except ValueError:
            await self._fail(delivery, "unreadable target")
            return
        try:
            send = _outgoing(self.messenger, delivery, target)
        except (KeyError, TypeError, ValueError) as error:  # written by another version: retrying will not help
            await self._fail(delivery, f"unreadable payload ({type(error).__name__})")
            return
        if await self._not_now(delivery):
            return
        # The pacing waits can be long (a workspace's rate, a Retry-After): `stop` cuts them short, but
        # never a send that has begun.
        sending = asyncio.create_task(self._paced_send(delivery, target, send))
        stopping = asyncio.create_task(self.stop.wait())
        try:
            await asyncio.wait((sending, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not sending.done() and delivery.id not in self.committed:
                sending.cancel()
            await asyncio.gather(sending, stopping, return_exceptions=True)
        if sending.cancelled():
            await self._not_now(delivery)  # gives it back
        elif (failure := sending.exception()) is not None:
            raise failure

    async def _paced_send(self, delivery: Delivery, target: Target, send: Send) -> None:
        """Wait for the target's gap and the workspace's turn, then send within a concurrency slot.

        The waits happen before taking a slot, so a workspace waiting out its rate or a 429 never holds the
        slots other workspaces need: behind the workspace's gate, one of its senders at a time waits for a
        slot, and takes the workspace's turn only once it has one. From the turn to the send nothing
        yields, so the platform sees the spacing the pacer chose.
        """
        await self.pacer.target_turn(target)
        async with self.pacer.gate(target):
            while True:
                await self.pacer.until_ready(target)
                await self.slots.acquire()
                if self.pacer.ready(target):
                    break
                self.slots.release()  # a 429 paused the workspace while we waited for the slot
            started = self.pacer.take(target)
            self.committed.add(delivery.id)
        try:
            if await self._not_now(delivery) or not await self._hold_lease(delivery):
                return
            self.pacer.sent(target, at=started)
            # The outcome is recorded inside the slot: at most `concurrency` rows are ever sent-but-unrecorded.
            await self._attempt(delivery, target, send)
        finally:
            self.committed.discard(delivery.id)
            self.slots.release()

    async def _not_now(self, delivery: Delivery) -> bool:
        """Give the row back untried when the run is stopping or its target is waiting out a Retry-After."""
        ident = delivery.id or 0
        if self.stop.is_set():
            if await claims.give_back(self.uow_factory, delivery_id=ident, worker_id=self.worker_id,
                                      patience=self._patience(delivery)):
                self.report.released += 1
            return True
        until = self.throttled.get(delivery.target)
        if until is not None and until > self.clock.now():
            if await claims.give_back(self.uow_factory, delivery_id=ident, worker_id=self.worker_id,
                                      not_before=until, patience=self._patience(delivery)):
                self.report.deferred += 1
            return True
        return False

    async def _hold_lease(self, delivery: Delivery) -> bool:
        """Send only with time to spare on the lease; renew it when short, and drop the row if it was taken."""
        now = self.clock.now()
        assert delivery.lease_until is not None
        if delivery.lease_until - now > timedelta(seconds=2 * self.send_timeout):
            return True
        lease_until = now + self.lease
        if await claims.renew(self.uow_factory, delivery_id=delivery.id or 0, worker_id=self.worker_id,
                              lease_until=lease_until, patience=self._patience(delivery)):
            delivery.lease_until = lease_until
            return True
        self.report.lost += 1
        log.warning("delivery %s: lease taken over before sending; the new owner sends it", delivery.id)
        return False

    async def _attempt(self, delivery: Delivery, target: Target, send: Send) -> None:
        ident = delivery.id or 0
        try:
            async with asyncio.timeout(self.send_timeout):
                ref = await send()
        except UnreachableMember as error:
            await self._fail(delivery, _describe(error))
            await claims.mark_unreachable(self.uow_factory, workspace_id=delivery.workspace_id,
                                          member_id=delivery.member_id,
                                          user_ref=target.ref if target.kind == "user" else None)
        except DeliveryError as error:
            if error.permanent:
                await self._fail(delivery, _describe(error))
            elif error.retry_after is not None:
                until = self.clock.now() + timedelta(seconds=max(0.0, error.retry_after))
                self.throttled[delivery.target] = until
                self.pacer.hold(target, error.retry_after)
                await self._retry(delivery, until, _describe(error), throttled=True)
            else:
                await self._retry(delivery, None, _describe(error))
        except TimeoutError:
            # The platform may or may not have posted it: retrying risks a duplicate, giving up risks a loss.
            await self._retry(delivery, None, f"no answer within {self.send_timeout:g}s")
        except Exception as error:
            log.warning("delivery %s (%s to %s): unexpected %s", ident, delivery.kind, _where(target),
                        type(error).__name__, exc_info=True)
            await self._retry(delivery, None, _describe(error))
        else:
            # The platform has it now: a lost record would send it again once the lease ran out.
            if await claims.mark_sent(self.uow_factory, delivery_id=ident, worker_id=self.worker_id,
                                      ref=ref.message_id, now=self.clock.now(), patience=self._patience(delivery)):
                self.report.sent += 1

    async def _retry(self, delivery: Delivery, at: datetime | None, error: str, *, throttled: bool = False) -> None:
        attempts = delivery.attempts + 1
        # Retry-After is the platform asking for patience, not a fault: it counts as a try, but only a much
        # longer run of them gives up (staleness usually ends such a message first).
        if attempts >= self.max_attempts * (THROTTLED_PATIENCE if throttled else 1):
            await self._fail(delivery, f"gave up after {attempts} tries: {error}")
            return
        if at is None:
            at = self.clock.now() + timedelta(seconds=self.backoff.delay(attempts, self.rng))
        if await claims.mark_retry(self.uow_factory, delivery_id=delivery.id or 0, worker_id=self.worker_id,
                                   at=at, error=error, patience=self._patience(delivery)):
            self.report.retried += 1

    async def _fail(self, delivery: Delivery, error: str) -> None:
        log.warning("delivery %s (%s) failed for good: %s", delivery.id, delivery.kind, error)
        if await claims.mark_failed(self.uow_factory, delivery_id=delivery.id or 0, worker_id=self.worker_id,
                                    error=error, patience=self._patience(delivery)):
            self.report.failed += 1

    def _patience(self, delivery: Delivery) -> float:
        """How long a write the database dropped may be retried: while the lease holds, with a margin, so
        no other worker takes the row over (and sends it again) while this one still tries to record it."""
        if delivery.lease_until is None:
            return 0.0
        left = (delivery.lease_until - self.clock.now()).total_seconds()
        return max(0.0, left - self.lease.total_seconds() * LEASE_MARGIN)


def _outgoing(messenger: Messenger, delivery: Delivery, target: Target) -> Send:
    """Read the payload now (a bad one fails at once) and return the call that sends it."""
    outgoing = file_of(delivery)
    if outgoing is not None:
        file = outgoing  # bound for the lambda: mypy cannot narrow `outgoing` inside it
        return lambda: messenger.send_file(target, file.data, file.filename, file.title)
    message = decode(delivery.payload)
    if delivery.image is not None:
        png = bytes(delivery.image)
        return lambda: messenger.send_image(target, png, message.text)
    return lambda: messenger.send(target, message)


def _describe(error: BaseException) -> str:
    """What goes into last_error and the logs: the adapter's own wording for platform errors, else the type.
    Never the message body: an unexpected exception's text might quote it."""
    if isinstance(error, DeliveryError):
        return f"{type(error).__name__}: {error}"[:500]
    return f"unexpected {type(error).__name__}"


def _where(target: Target) -> str:
    return f"{target.platform}:{target.workspace_id}:{target.kind}"
