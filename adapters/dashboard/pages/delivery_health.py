"""Delivery health for one workspace: what is due and unsent (and since when), what failed and why, per platform.

A read of the outbox table for the dashboard only; it belongs in storage's OutboxRepository (requested in
/tmp/briefs/requests-dash-pages.md) and lives here until then. Only this workspace's rows, never a payload: the
kind, the target's platform, counts, times and the deliverer's own error wording (scheduler/report.describe,
which never quotes a message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func
from sqlmodel import col, select

from storage.tables import Delivery, DeliveryStatus
from storage.uow import UnitOfWork

RECENT = timedelta(days=7)  # failures and late skips over the digest's week
UNSENT = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
PLATFORMS = ("slack", "teams", "local")


@dataclass
class PlatformHealth:
    platform: str
    due: int = 0  # due by now and not sent yet (pending or being sent)
    oldest_due: datetime | None = None
    later: int = 0  # queued for later
    failed: int = 0  # gave up, due in the last RECENT
    late: int = 0  # skipped as too late to be useful, due in the last RECENT


@dataclass(frozen=True)
class Failure:
    platform: str
    kind: str
    reason: str
    count: int
    latest: datetime


@dataclass(frozen=True)
class DeliveryHealth:
    platforms: tuple[PlatformHealth, ...]
    failures: tuple[Failure, ...] = field(default_factory=tuple)


def _platform() -> ColumnElement[str]:
    """The target's platform ("slack:T1:channel:C1" -> "slack"), as SQL both SQLite and PostgreSQL run."""
    target = col(Delivery.target)
    return case(*((target.like(f"{name}:%"), name) for name in PLATFORMS), else_="other")


async def delivery_health(uow: UnitOfWork, *, workspace_id: int, now: datetime) -> DeliveryHealth:
    platform = _platform()
    mine = Delivery.workspace_id == workspace_id
    since = now - RECENT
    by: dict[str, PlatformHealth] = {}

    def of(name: object) -> PlatformHealth:
        return by.setdefault(str(name), PlatformHealth(str(name)))

    due_now = col(Delivery.due_at) <= now
    unsent = await uow.session.exec(
        select(platform, due_now, func.count(), func.min(Delivery.due_at))  # type: ignore[call-overload]
        .where(mine, col(Delivery.status).in_(UNSENT)).group_by(platform, due_now))
    for name, is_due, count, oldest in unsent.all():
        row = of(name)
        if is_due:
            row.due, row.oldest_due = int(count), oldest
        else:
            row.later = int(count)
    ended = await uow.session.exec(
        select(platform, Delivery.status, Delivery.kind, Delivery.last_error, func.count(),  # type: ignore[call-overload]
               func.max(Delivery.due_at))
        .where(mine, col(Delivery.status).in_((DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)),
               col(Delivery.due_at) >= since, col(Delivery.due_at) <= now)
        .group_by(platform, Delivery.status, Delivery.kind, Delivery.last_error))
    failures = []
    for name, status, kind, reason, count, latest in ended.all():
        if status == DeliveryStatus.FAILED:
            of(name).failed += int(count)
            failures.append(Failure(str(name), str(kind), str(reason or ""), int(count), latest))
        elif reason == "stale":
            of(name).late += int(count)
    failures.sort(key=lambda f: (-f.count, f.platform, f.kind))
    return DeliveryHealth(platforms=tuple(sorted(by.values(), key=lambda p: p.platform)), failures=tuple(failures))
