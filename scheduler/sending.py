"""A delivery run: claim due deliveries in batches, send each target's in order, paced, and record each outcome."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.kernel.ports import Clock, DeliveryError, Messenger, SpaceUnsupported, Target, UnreachableMember
from scheduler.outgoing import Send, outgoing
from scheduler.pacing import Pacer
from scheduler.report import Backoff, DeliveryReport, describe, where
from storage.repositories import outbox_claims as claims
from storage.repositories.workspace_state import inactive_reasons
from storage.tables import Delivery, DeliveryStatus
from storage.uow import UnitOfWork

log = logging.getLogger("scheduler.deliver")  # the logger these messages always had
THROTTLED_PATIENCE = 4  # a delivery only ever answered 429 gets this many times max_attempts tries
LEASE_MARGIN = 0.1  # of the lease: retrying a write the database dropped stops this long before the lease ends


@dataclass
class DeliveryRun:
    """One call of `deliver_due`: claims in batches, one lane per target, each send paced and its outcome recorded."""

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
            send = outgoing(self.messenger, delivery, target)
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
        except DeliveryError as error:
            await self._refused(delivery, target, error)
        except TimeoutError:
            # The platform may or may not have posted it: retrying risks a duplicate, giving up risks a loss.
            await self._retry(delivery, None, f"no answer within {self.send_timeout:g}s")
        except Exception as error:
            log.warning("delivery %s (%s to %s): unexpected %s", ident, delivery.kind, where(target),
                        type(error).__name__, exc_info=True)
            await self._retry(delivery, None, describe(error))
        else:
            # The platform has it now: a lost record would send it again once the lease ran out.
            if await claims.mark_sent(self.uow_factory, delivery_id=ident, worker_id=self.worker_id,
                                      ref=ref.message_id, now=self.clock.now(), patience=self._patience(delivery)):
                self.report.sent += 1

    async def _refused(self, delivery: Delivery, target: Target, error: DeliveryError) -> None:
        """The platform said no. A workspace that removed the app meanwhile (claimed just before, its token dead by
        the time of the send) ends skipped with that reason: not failed, not its member marked unreachable."""
        if error.retry_after is None and await self._skip_if_gone(delivery):
            return
        if isinstance(error, UnreachableMember):
            await self._fail(delivery, describe(error))
            await claims.mark_unreachable(self.uow_factory, workspace_id=delivery.workspace_id,
                                          member_id=delivery.member_id,
                                          user_ref=target.ref if target.kind == "user" else None)
        elif isinstance(error, SpaceUnsupported):  # by design on this platform (a Teams thread is not archived)
            log.info("delivery %s (%s): not offered here: %s", delivery.id, delivery.kind, error)
            await self._skip(delivery, describe(error), reason="unsupported")
        elif error.permanent:
            await self._fail(delivery, describe(error))
        elif error.retry_after is not None:
            until = self.clock.now() + timedelta(seconds=max(0.0, error.retry_after))
            self.throttled[delivery.target] = until
            self.pacer.hold(target, error.retry_after)
            await self._retry(delivery, until, describe(error), throttled=True)
        else:
            await self._retry(delivery, None, describe(error))

    async def _skip_if_gone(self, delivery: Delivery) -> bool:
        async with self.uow_factory() as uow:
            reason = (await inactive_reasons(uow, [delivery])).get(delivery.id or 0)
        if reason is None:
            return False
        await self._skip(delivery, reason, reason=reason)
        return True

    async def _skip(self, delivery: Delivery, error: str, *, reason: str) -> None:
        if await claims.mark_failed(self.uow_factory, delivery_id=delivery.id or 0, worker_id=self.worker_id,
                                    error=error, status=DeliveryStatus.SKIPPED, patience=self._patience(delivery)):
            self.report.skipped[reason] += 1

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
