"""`program form`'s writes, set-based: circles, memberships and elections in a few multi-row INSERTs, and the
circles' spaces claimed and marked opened per chunk (issue 18: a program of 10,000 forms 1,667 circles at once)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, update
from sqlmodel import SQLModel, col, select

from storage.repositories.outbox import SPACE_KIND, SpaceOrder
from storage.repositories.outbox_claims import due
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    Delivery,
    DeliveryStatus,
    Enrollment,
    EnrollmentStatus,
    Member,
    ThemeVote,
)
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


async def memberships_of(uow: UnitOfWork, *, circle_ids: Sequence[int]) -> list[tuple[int, int, dict[str, Any]]]:
    """The active memberships of these circles as (circle id, member id, why), in the order they were made (each
    circle's own order). Plain columns: 10,000 ORM rows cost more than the query."""
    found: list[tuple[int, int, int, dict[str, Any]]] = []
    for start in range(0, len(circle_ids), CHUNK):
        rows = await uow.session.exec(select(
            CircleMember.id, CircleMember.circle_id, CircleMember.member_id, CircleMember.why).where(
            col(CircleMember.circle_id).in_(list(circle_ids[start:start + CHUNK])),
            CircleMember.status == CircleMemberStatus.ACTIVE))
        found.extend((int(i or 0), int(c), int(m), dict(w or {})) for i, c, m, w in rows.all())
    return [(c, m, w) for _, c, m, w in sorted(found, key=lambda row: row[0])]


async def vote_order(uow: UnitOfWork, *, program_id: int) -> dict[int, tuple[int, ...]]:
    """Each member's theme votes in the order given (ThemeRepository.votes_of_program, as plain columns)."""
    ordered: dict[int, list[int]] = {}
    rows = await uow.session.exec(select(ThemeVote.member_id, ThemeVote.theme_id).where(
        ThemeVote.program_id == program_id).order_by(col(ThemeVote.id)))
    for member_id, theme_id in rows.all():
        ordered.setdefault(int(member_id), []).append(int(theme_id))
    return {member: tuple(themes) for member, themes in ordered.items()}


async def past_pairs_among(uow: UnitOfWork, *, workspace_id: int, exclude_program_id: int,
                           member_ids: set[int]) -> set[frozenset[int]]:
    """CircleRepository.past_pairs, only between `member_ids`: formation never asks about anyone else, and a
    workspace's other circles make 100,000s of pairs."""
    rows = await uow.session.exec(select(CircleMember.circle_id, CircleMember.member_id).where(
        CircleMember.workspace_id == workspace_id, CircleMember.program_id != exclude_program_id))
    by_circle: dict[int, list[int]] = {}
    for circle_id, member_id in rows.all():
        if member_id in member_ids:
            by_circle.setdefault(circle_id, []).append(member_id)
    return {frozenset((a, b)) for ms in by_circle.values() for i, a in enumerate(ms) for b in ms[i + 1:]}


async def circles_by_id(uow: UnitOfWork, *, workspace_id: int, circle_ids: Sequence[int]) -> list[Circle]:
    found: list[Circle] = []
    for start in range(0, len(circle_ids), CHUNK):
        rows = await uow.session.exec(select(Circle).where(
            Circle.workspace_id == workspace_id, col(Circle.id).in_(list(circle_ids[start:start + CHUNK]))))
        found.extend(rows.all())
    return sorted(found, key=lambda c: c.id or 0)


@dataclass(frozen=True)
class ClaimedSpace:
    """A space delivery claimed to be opened now: its id, and what to open (None: not a space)."""

    delivery_id: int
    order: SpaceOrder | None


def _order(kind: str, payload: dict[str, Any]) -> SpaceOrder | None:
    """outbox.space_of from the columns (a Delivery row costs more to build than its query)."""
    if kind != SPACE_KIND:
        return None
    asked = payload["space"]
    return SpaceOrder(name=str(asked["name"]), members=tuple(str(m) for m in asked["members"]),
                      private=bool(asked.get("private", True)), parent=asked.get("parent") or None,
                      group_chat=bool(asked.get("group_chat", False)))


async def enrolled_members(uow: UnitOfWork, *, workspace_id: int, program_id: int) -> list[Member]:
    """The members of the program's active enrollments, in one query (not the enrollments, then their members)."""
    found = await uow.session.exec(select(Member).join(Enrollment, col(Enrollment.member_id) == Member.id).where(
        Enrollment.workspace_id == workspace_id, Enrollment.program_id == program_id,
        Enrollment.status == EnrollmentStatus.ACTIVE, Member.workspace_id == workspace_id))
    return list(found.all())


async def claim_keys(uow_factory: Callable[[], UnitOfWork], *, keys: Sequence[str], worker_id: str,
                     now: datetime, lease_until: datetime) -> dict[str, ClaimedSpace]:
    """`outbox_claims.claim_key` for several keys in one short transaction: the due ones nobody holds, by key.
    PostgreSQL locks the candidates first (SKIP LOCKED), as the deliverer's claim does."""
    where: Any = and_(col(Delivery.key).in_(list(keys)), due(now))
    async with uow_factory() as uow:
        bind = uow.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            # Lock by key alone (its unique index), then keep the due ones: with `status = 'pending'` in the WHERE
            # PostgreSQL takes the status index (its statistics see few pending rows) and walks every delivery
            # this formation just queued, for each chunk.
            found = await uow.session.exec(select(Delivery.id, Delivery.status, Delivery.due_at,
                                                  Delivery.next_attempt_at)
                                           .where(col(Delivery.key).in_(list(keys))).with_for_update(skip_locked=True))
            chosen = [i for i, status, due_at, retry in found.all()
                      if status == DeliveryStatus.PENDING and due_at <= now and (retry is None or retry <= now)]
            if not chosen:
                return {}
            where = col(Delivery.id).in_(chosen)  # locked, and due: nothing else changes them before the commit
        taken = await uow.session.exec(
            update(Delivery).where(where)
            .values(status=DeliveryStatus.SENDING, claimed_by=worker_id, lease_until=lease_until)
            .returning(col(Delivery.id), col(Delivery.key), col(Delivery.kind), col(Delivery.payload))
            .execution_options(synchronize_session=False))
        rows = {str(k): ClaimedSpace(int(i), _order(kind, p)) for i, k, kind, p in taken.all()}
        await uow.commit()
    return rows


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
