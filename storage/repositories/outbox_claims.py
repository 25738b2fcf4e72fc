"""The outbox's state changes: claiming due deliveries under a lease, and recording how each send went.

Every change after the claim is fenced by `claimed_by` and status `sending`: a worker whose lease ran out
and was taken over can no longer overwrite what the new owner records.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from storage.repositories.workspace_state import inactive_reasons
from storage.tables import Delivery, DeliveryStatus, Enrollment, Member
from storage.uow import UnitOfWork

log = logging.getLogger("scheduler.claims")  # the logger these messages always had

UowFactory = Callable[[], UnitOfWork]
FIRST_PAUSE = 0.05  # seconds before retrying a write the database dropped; doubles up to LONGEST_PAUSE
LONGEST_PAUSE = 2.0


@dataclass
class Claim:
    """What one claim transaction took: deliveries to send now, and how many it skipped, by reason."""

    deliveries: list[Delivery] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: int = 0  # taken over from senders that kept dying mid-send, until no tries were left

    @property
    def taken(self) -> int:
        return len(self.deliveries) + sum(self.skipped.values()) + self.failed


def due(now: datetime) -> ColumnElement[bool]:
    """Pending, due, and not waiting for a retry."""
    return and_(
        col(Delivery.status) == DeliveryStatus.PENDING,
        col(Delivery.due_at) <= now,
        or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
    )


def abandoned(now: datetime) -> ColumnElement[bool]:
    """Claimed by a worker whose lease ran out: it crashed, hung or lost the database mid-send."""
    return and_(col(Delivery.status) == DeliveryStatus.SENDING, col(Delivery.lease_until) < now)


async def claim(uow: UnitOfWork, *, worker_id: str, now: datetime, lease_until: datetime, limit: int,
                max_attempts: int | None = None) -> Claim:
    """Take up to `limit` deliveries in one short transaction (abandoned ones first, then due ones),
    skipping the ones nobody should get any more.

    PostgreSQL: the candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint
    rows without waiting on each other. SQLite: each UPDATE takes the database's write lock first, so
    claims are serialised (one process is the intended set-up; several still never share a row). Either way
    the UPDATE repeats the condition, so a row that changed since the candidates were chosen is left alone.
    """
    # A row taken over from an expired lease was tried once already, with an unknown outcome: counting it
    # lets a message that crashes its sender end up failed instead of taking the workers down forever.
    taken_over = await _take(uow, abandoned(now), worker_id=worker_id, lease_until=lease_until, limit=limit,
                             count_a_try=True)
    fresh = await _take(uow, due(now), worker_id=worker_id, lease_until=lease_until,
                        limit=limit - len(taken_over), count_a_try=False) if len(taken_over) < limit else []
    rows = sorted(taken_over + fresh, key=lambda d: (d.due_at, d.id or 0))
    exhausted = {d.id or 0 for d in taken_over if max_attempts is not None and d.attempts >= max_attempts}
    result = Claim()
    reasons = {**await _skip_reasons(uow, rows, now), **await inactive_reasons(uow, rows)}  # removed app: skip
    for delivery in rows:
        if (reason := reasons.get(delivery.id or 0)) is not None:
            result.skipped[reason] += 1
        elif (delivery.id or 0) not in exhausted:
            result.deliveries.append(delivery)
    exhausted -= set(reasons)
    if exhausted:
        result.failed = len(exhausted)
        log.warning("deliveries %s failed: their senders stopped mid-send %d times", exhausted, max_attempts)
        await uow.session.exec(update(Delivery).where(col(Delivery.id).in_(exhausted)).values(
            status=DeliveryStatus.FAILED, lease_until=None, claimed_by=None,
            last_error=f"gave up after {max_attempts} tries: the sender stopped before recording the outcome",
        ).execution_options(synchronize_session=False))
    for reason in set(reasons.values()):
        ids = [i for i, r in reasons.items() if r == reason]
        await uow.session.exec(update(Delivery).where(col(Delivery.id).in_(ids)).values(
            status=DeliveryStatus.SKIPPED, last_error=reason, lease_until=None, claimed_by=None,
        ).execution_options(synchronize_session=False))
    await uow.commit()
    return result


async def claim_key(uow_factory: UowFactory, *, key: str, worker_id: str, now: datetime,
                    lease_until: datetime) -> Delivery | None:
    """Claim one due delivery by its idempotency key (a space the core opens at once); None when another worker
    has it, it is done, or it is not due."""
    async with uow_factory() as uow:
        taken = await _take(uow, and_(col(Delivery.key) == key, due(now)), worker_id=worker_id,
                            lease_until=lease_until, limit=1, count_a_try=False)
        await uow.commit()
    return taken[0] if taken else None


async def _take(uow: UnitOfWork, condition: ColumnElement[bool], *, worker_id: str, lease_until: datetime,
                limit: int, count_a_try: bool) -> list[Delivery]:
    candidates = (
        select(Delivery.id).where(condition).order_by(col(Delivery.due_at), col(Delivery.id)).limit(limit)
    )
    bind = uow.session.bind
    chosen: Any
    if bind is not None and bind.dialect.name == "postgresql":
        # Lock first, update the locked ids second: inside `UPDATE ... WHERE id IN (subquery)` PostgreSQL
        # may run a LIMIT ... SKIP LOCKED subquery more than once and take more rows than asked.
        chosen = list((await uow.session.exec(candidates.with_for_update(skip_locked=True))).all())
        if not chosen:
            return []
    else:
        chosen = candidates.scalar_subquery()
    values: dict[str, Any] = {"status": DeliveryStatus.SENDING, "claimed_by": worker_id, "lease_until": lease_until}
    if count_a_try:
        values["attempts"] = col(Delivery.attempts) + 1
    statement = (
        update(Delivery).where(col(Delivery.id).in_(chosen), condition).values(**values)
        .returning(Delivery).execution_options(synchronize_session=False)
    )
    return list((await uow.session.exec(statement)).scalars().all())


async def _skip_reasons(uow: UnitOfWork, rows: Iterable[Delivery], now: datetime) -> dict[int, str]:
    """Why a delivery should not go out any more: stale, or its recipient was erased or has paused."""
    reasons: dict[int, str] = {}
    personal: list[Delivery] = []
    for delivery in rows:
        if delivery.stale_at is not None and delivery.stale_at <= now:
            reasons[delivery.id or 0] = "stale"
        elif delivery.member_id is not None:
            personal.append(delivery)
    if not personal:
        return reasons
    member_ids = {d.member_id for d in personal}
    members = {m.id: m for m in (await uow.session.exec(select(Member).where(col(Member.id).in_(member_ids)))).all()}
    program_ids = {d.program_id for d in personal if d.program_id is not None}
    enrollments: dict[tuple[int, int], Enrollment] = {}
    if program_ids:
        found = await uow.session.exec(select(Enrollment).where(
            col(Enrollment.member_id).in_(member_ids), col(Enrollment.program_id).in_(program_ids)))
        enrollments = {(e.program_id, e.member_id): e for e in found.all()}
    for delivery in personal:
        member = members.get(delivery.member_id)
        if member is None or member.erased:
            reasons[delivery.id or 0] = "erased"
            continue
        enrollment = enrollments.get((delivery.program_id or 0, member.id or 0))
        if enrollment is not None and enrollment.paused_until is not None \
                and enrollment.paused_until >= _local_today(member, now):
            reasons[delivery.id or 0] = "paused"
    return reasons


def _local_today(member: Member, now: datetime) -> date:
    try:
        zone = ZoneInfo(member.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def _mine(delivery_id: int, worker_id: str) -> ColumnElement[bool]:
    return and_(col(Delivery.id) == delivery_id, col(Delivery.claimed_by) == worker_id,
                col(Delivery.status) == DeliveryStatus.SENDING)


def transient(error: BaseException) -> bool:
    """A database error worth another try: the connection dropped or the server was briefly unavailable."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))
    return isinstance(error, (ConnectionError, TimeoutError))


async def _persist(write: Callable[[bool], Awaitable[bool]], *, delivery_id: int, what: str,
                   patience: float) -> bool:
    """Run `write` (told whether it is a retry), trying again with backoff after a transient database error
    for up to `patience` seconds. Once the platform has a message, an outcome that is not recorded becomes a
    duplicate when the lease runs out: the deliverer gives as much patience as the lease leaves."""
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + patience
    pause, tries = FIRST_PAUSE, 0
    while True:
        try:
            return await write(tries > 0)
        except Exception as error:
            tries += 1
            wait = random.uniform(pause / 2, pause)
            if not transient(error) or loop.time() + wait >= give_up_at:
                raise
            # Only the error's type: its text may quote the statement.
            log.warning("delivery %s: could not record %s (%s, try %d); trying again in %.2fs", delivery_id,
                        what, type(error).__name__, tries, wait)
            await asyncio.sleep(wait)
            pause = min(LONGEST_PAUSE, pause * 2)


async def _record(uow_factory: UowFactory, delivery_id: int, worker_id: str, values: dict[str, Any], *,
                  patience: float = 0.0) -> bool:
    """Apply a change to a delivery this worker still holds; False (and a warning) if it lost the lease.
    A transient database error is retried for up to `patience` seconds."""
    async def write(again: bool) -> bool:
        async with uow_factory() as uow:
            result = await uow.session.exec(update(Delivery).where(_mine(delivery_id, worker_id)).values(**values)
                                            .execution_options(synchronize_session=False))
            if not getattr(result, "rowcount", 0) and again:
                # The try that failed may have committed and only lost the answer: then the row says so.
                return await _already(uow, delivery_id, values)
            await uow.commit()
        return bool(getattr(result, "rowcount", 0))

    held = await _persist(write, delivery_id=delivery_id, what=str(values["status"]), patience=patience)
    if not held:
        log.warning("delivery %s: lease lost before its outcome was recorded (%s)", delivery_id, values["status"])
    return held


async def _already(uow: UnitOfWork, delivery_id: int, values: dict[str, Any]) -> bool:
    row = await uow.session.get(Delivery, delivery_id)
    if row is None or row.status != values["status"] or row.claimed_by is not None:
        return False
    return "sent_ref" not in values or row.sent_ref == values["sent_ref"]


_RELEASED: dict[str, Any] = {"lease_until": None, "claimed_by": None}


async def mark_sent(uow_factory: UowFactory, *, delivery_id: int, worker_id: str, ref: str, now: datetime,
                    patience: float = 0.0) -> bool:
    return await _record(uow_factory, delivery_id, worker_id, {
        "status": DeliveryStatus.SENT, "sent_ref": ref[:600], "sent_at": now, "next_attempt_at": None,
        "last_error": None, "attempts": col(Delivery.attempts) + 1, **_RELEASED}, patience=patience)


async def mark_retry(uow_factory: UowFactory, *, delivery_id: int, worker_id: str, at: datetime, error: str,
                     patience: float = 0.0) -> bool:
    return await _record(uow_factory, delivery_id, worker_id, {
        "status": DeliveryStatus.PENDING, "next_attempt_at": at, "last_error": error[:500],
        "attempts": col(Delivery.attempts) + 1, **_RELEASED}, patience=patience)


async def mark_failed(uow_factory: UowFactory, *, delivery_id: int, worker_id: str, error: str,
                      patience: float = 0.0, status: str = DeliveryStatus.FAILED) -> bool:
    """Given up for good; or, with status SKIPPED, not sent by design (a space the platform does not offer)."""
    return await _record(uow_factory, delivery_id, worker_id, {
        "status": status, "last_error": error[:500], "attempts": col(Delivery.attempts) + 1,
        **_RELEASED}, patience=patience)


async def give_back(uow_factory: UowFactory, *, delivery_id: int, worker_id: str,
                    not_before: datetime | None = None, patience: float = 0.0) -> bool:
    """Return a delivery that was not tried (stopping, or its target is throttled): no attempt is counted."""
    return await _record(uow_factory, delivery_id, worker_id, {
        "status": DeliveryStatus.PENDING, "next_attempt_at": not_before, **_RELEASED}, patience=patience)


async def renew(uow_factory: UowFactory, *, delivery_id: int, worker_id: str, lease_until: datetime,
                patience: float = 0.0) -> bool:
    """Extend a lease that would run out before the send could finish; False if it was already taken over."""
    async def write(again: bool) -> bool:
        async with uow_factory() as uow:
            result = await uow.session.exec(update(Delivery).where(_mine(delivery_id, worker_id))
                                            .values(lease_until=lease_until)
                                            .execution_options(synchronize_session=False))
            await uow.commit()
        # A retry after a commit whose answer was lost matches the row again: the new lease is in place.
        return bool(getattr(result, "rowcount", 0))

    return await _persist(write, delivery_id=delivery_id, what="a longer lease", patience=patience)


async def mark_unreachable(uow_factory: UowFactory, *, workspace_id: int, member_id: int | None,
                           user_ref: str | None) -> None:
    """The platform says this person cannot be messaged: planners stop queueing for them until they speak."""
    async with uow_factory() as uow:
        if member_id is not None:
            where = and_(col(Member.id) == member_id, col(Member.workspace_id) == workspace_id)
        elif user_ref is not None:
            where = and_(col(Member.external_id) == user_ref, col(Member.workspace_id) == workspace_id)
        else:
            return
        await uow.session.exec(update(Member).where(where).values(reachable=False)
                               .execution_options(synchronize_session=False))
        await uow.commit()
