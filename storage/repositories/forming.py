"""`program form`'s writes, set-based: circles, memberships and elections in a few multi-row INSERTs, and the
circles' spaces claimed and marked opened per chunk (issue 18: a program of 10,000 forms 1,667 circles at once)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, update
from sqlmodel import SQLModel, col, select

from storage.repositories.outbox_claims import due
from storage.tables import Circle, CircleMember, CircleMemberStatus, Delivery, DeliveryStatus
from storage.uow import UnitOfWork

CHUNK = 1000  # rows per INSERT statement


async def insert_circles(uow: UnitOfWork, circles: Sequence[Circle]) -> None:
    """INSERT the circles, a statement per 1,000, and give each its new id (RETURNING in the order given)."""
    if not circles:
        return
    table = Circle.__table__  # type: ignore[attr-defined]
    rows = [circle.model_dump(exclude={"id"}) for circle in circles]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True).execution_options(
        insertmanyvalues_page_size=CHUNK)
    await uow.session.flush()
    result = await (await uow.session.connection()).execute(statement, rows)
    for circle, (new_id,) in zip(circles, result.all(), strict=True):
        circle.id = int(new_id)


async def insert_rows(uow: UnitOfWork, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Plain multi-row INSERTs (no ON CONFLICT): the unique keys arbitrate, so a second `program form` running
    at the same time fails on the memberships the first wrote instead of forming a second set of circles."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    await uow.session.flush()
    await (await uow.session.connection()).execute(
        insert(table).execution_options(insertmanyvalues_page_size=CHUNK), list(rows))


async def memberships_of(uow: UnitOfWork, *, circle_ids: Sequence[int]) -> list[CircleMember]:
    """The active memberships of these circles, in the order they were made (each circle's own order)."""
    found: list[CircleMember] = []
    for start in range(0, len(circle_ids), CHUNK):
        rows = await uow.session.exec(select(CircleMember).where(
            col(CircleMember.circle_id).in_(list(circle_ids[start:start + CHUNK])),
            CircleMember.status == CircleMemberStatus.ACTIVE).order_by(col(CircleMember.id)))
        found.extend(rows.all())
    return sorted(found, key=lambda cm: cm.id or 0)


async def circles_by_id(uow: UnitOfWork, *, workspace_id: int, circle_ids: Sequence[int]) -> list[Circle]:
    found: list[Circle] = []
    for start in range(0, len(circle_ids), CHUNK):
        rows = await uow.session.exec(select(Circle).where(
            Circle.workspace_id == workspace_id, col(Circle.id).in_(list(circle_ids[start:start + CHUNK]))))
        found.extend(rows.all())
    return sorted(found, key=lambda c: c.id or 0)


async def claim_keys(uow_factory: Callable[[], UnitOfWork], *, keys: Sequence[str], worker_id: str,
                     now: datetime, lease_until: datetime) -> dict[str, Delivery]:
    """`outbox_claims.claim_key` for several keys in one short transaction: the due ones nobody holds, by key.
    PostgreSQL locks the candidates first (SKIP LOCKED), as the deliverer's claim does."""
    condition = and_(col(Delivery.key).in_(list(keys)), due(now))
    async with uow_factory() as uow:
        bind = uow.session.bind
        chosen: Any = select(Delivery.id).where(condition)
        if bind is not None and bind.dialect.name == "postgresql":
            chosen = list((await uow.session.exec(chosen.with_for_update(skip_locked=True))).all())
        if chosen == []:
            return {}
        taken = await uow.session.exec(
            update(Delivery).where(col(Delivery.id).in_(chosen), condition)
            .values(status=DeliveryStatus.SENDING, claimed_by=worker_id, lease_until=lease_until)
            .returning(Delivery).execution_options(synchronize_session=False))
        rows = list(taken.scalars().all())
        await uow.commit()
    return {row.key: row for row in rows}


async def mark_opened(uow_factory: Callable[[], UnitOfWork], *, opened: Sequence[tuple[int, str]], worker_id: str,
                      now: datetime) -> None:
    """`outbox_claims.mark_sent` for a chunk of opened spaces (delivery id, sent_ref) in one transaction; fenced
    the same way, so a row another worker took over is left to it."""
    if not opened:
        return
    table = Delivery.__table__  # type: ignore[attr-defined]
    statement = update(table).where(
        table.c.id == bindparam("delivery_id"), table.c.claimed_by == worker_id,
        table.c.status == DeliveryStatus.SENDING,
    ).values(status=DeliveryStatus.SENT, sent_ref=bindparam("ref"), sent_at=now, next_attempt_at=None,
             last_error=None, attempts=table.c.attempts + 1, lease_until=None, claimed_by=None)
    async with uow_factory() as uow:
        await (await uow.session.connection()).execute(
            statement, [{"delivery_id": delivery_id, "ref": ref[:600]} for delivery_id, ref in opened])
        await uow.commit()
