"""The outbox: queued deliveries, written by planners and handlers and read by digests and planners.

A file (exports, `my data`) is a Delivery of kind "file": its bytes in `image`, its title as the message text and
its name in `payload["file"]["filename"]`. The deliverer sends it with `Messenger.send_file(target, data, filename,
title)`; `file_of` reads a delivery that way, so the deliverer never needs to know the layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select as columns_of
from sqlalchemy import update
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.delivery import Delivery, DeliveryStatus
from storage.upsert import insert_ignore, insert_ignore_many

FILE_KIND = "file"
# Opening a circle's or pair's space is a delivery too: retried like one, and never opened twice. Its payload
# is `{"space": {name, members, private, parent, group_chat}, "round": n}`; once sent, `sent_ref` holds the space
# (`opened_ref`). `round` grows with each `circle retry`, so each failure is told to the admins once.
SPACE_KIND = "space"


@dataclass(frozen=True)
class OutgoingFile:
    data: bytes
    filename: str
    title: str


def file_of(delivery: Delivery) -> OutgoingFile | None:
    """The file a delivery carries, or None for an ordinary message (or image)."""
    if delivery.kind != FILE_KIND or delivery.image is None:
        return None
    named = delivery.payload.get("file") or {}
    return OutgoingFile(data=bytes(delivery.image), filename=str(named.get("filename") or "lingkar.bin"),
                        title=str(delivery.payload.get("text", "")))


@dataclass(frozen=True)
class SpaceOrder:
    name: str
    members: tuple[str, ...]
    private: bool
    parent: str | None  # a Target key
    group_chat: bool


def space_key(owner: str, owner_id: int) -> str:
    """The one idempotency key of a circle's ("circle") or pair's ("pair") space."""
    return f"space:{owner}:{owner_id}"


def space_of(delivery: Delivery) -> SpaceOrder | None:
    """The space a delivery asks the platform to open, or None for anything else."""
    if delivery.kind != SPACE_KIND:
        return None
    asked = delivery.payload["space"]
    return SpaceOrder(name=str(asked["name"]), members=tuple(str(m) for m in asked["members"]),
                      private=bool(asked.get("private", True)), parent=asked.get("parent") or None,
                      group_chat=bool(asked.get("group_chat", False)))


SPACE_CHANGE_KIND = "space_change"


@dataclass(frozen=True)
class SpaceChange:
    """A change to a space that exists: add members (a late joiner, a merge, the alumni circle) or archive it."""

    action: str  # "add" | "archive"
    members: tuple[str, ...] = ()


def space_change_of(delivery: Delivery) -> SpaceChange | None:
    """The change a delivery asks of its target space, or None for anything else."""
    if delivery.kind != SPACE_CHANGE_KIND:
        return None
    asked = delivery.payload["change"]
    action = str(asked["action"])
    if action not in ("add", "archive"):
        raise ValueError(f"unknown space change {action!r}")
    return SpaceChange(action=action, members=tuple(str(m) for m in asked.get("members") or ()))


def opened_ref(target_key: str, skipped: Sequence[str]) -> str:
    """What a space delivery records once the platform opened it: the space, and who could not be added."""
    return target_key + ("|" + ",".join(skipped) if skipped else "")


def read_opened(sent_ref: str) -> tuple[str, list[str]]:
    target_key, _, skipped = sent_ref.partition("|")
    return target_key, [s for s in skipped.split(",") if s]


def pending_values(
    *, workspace_id: int, key: str, kind: str, target: str, payload: dict[str, Any], due_at: datetime,
    program_id: int | None = None, member_id: int | None = None, stale_at: datetime | None = None,
    image: bytes | None = None,
) -> dict[str, Any]:
    """One pending delivery's columns, as `add` and `add_many` insert them."""
    return {"workspace_id": workspace_id, "program_id": program_id, "key": key[:255], "kind": kind, "target": target,
            "member_id": member_id, "payload": payload, "image": image, "status": DeliveryStatus.PENDING,
            "due_at": due_at, "stale_at": stale_at, "attempts": 0, "created_at": due_at}


def skipped_values(
    *, workspace_id: int, program_id: int | None, key: str, kind: str, target: str, member_id: int | None,
    due_at: datetime, stale_at: datetime | None, now: datetime, reason: str, payload: dict[str, Any],
) -> dict[str, Any]:
    """One skipped delivery's columns (an item that will not be sent, and why), as `add_skipped(_many)` insert them."""
    return {"workspace_id": workspace_id, "program_id": program_id, "key": key[:255], "kind": kind, "target": target,
            "member_id": member_id, "payload": payload, "image": None, "status": DeliveryStatus.SKIPPED,
            "due_at": due_at, "stale_at": stale_at, "attempts": 0, "created_at": now, "last_error": reason}


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching keys that start with `prefix` (its own % and _ matched literally)."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, *, workspace_id: int, key: str, kind: str, target: str, payload: dict[str, Any], due_at: datetime,
        program_id: int | None = None, member_id: int | None = None, stale_at: datetime | None = None,
        image: bytes | None = None,
    ) -> bool:
        """Queue one pending delivery: True if new, False if one with this idempotency key exists already."""
        new_id = await insert_ignore(self._session, Delivery, values=pending_values(
            workspace_id=workspace_id, key=key, kind=kind, target=target, payload=payload, due_at=due_at,
            program_id=program_id, member_id=member_id, stale_at=stale_at, image=image), conflict=("key",))
        return new_id is not None

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> set[str]:
        """`add` for many deliveries (each row `pending_values`), one INSERT per 1,000: the keys queued now;
        a key planned before (by an earlier tick or another replica) is left as it was."""
        created = await insert_ignore_many(self._session, Delivery, rows=rows, conflict=("key",), returning=("key",))
        return {str(row[0]) for row in created}

    async def add_file(
        self, *, workspace_id: int, key: str, target: str, data: bytes, filename: str, payload: dict[str, Any],
        due_at: datetime, program_id: int | None = None, member_id: int | None = None,
    ) -> bool:
        """Queue a file once per idempotency key (`payload` is its encoded title); False when it was queued before."""
        return await self.add(workspace_id=workspace_id, key=key, kind=FILE_KIND, target=target,
                              payload={**payload, "file": {"filename": filename}}, due_at=due_at,
                              program_id=program_id, member_id=member_id, image=data)

    async def add_skipped(
        self, *, workspace_id: int, program_id: int | None, key: str, kind: str, target: str, member_id: int | None,
        due_at: datetime, stale_at: datetime | None, now: datetime, reason: str, payload: dict[str, Any],
    ) -> bool:
        """Record, once per idempotency key, an item that will not be sent, and why: True if recorded now."""
        created = await insert_ignore(self._session, Delivery, values=skipped_values(
            workspace_id=workspace_id, program_id=program_id, key=key, kind=kind, target=target, member_id=member_id,
            due_at=due_at, stale_at=stale_at, now=now, reason=reason, payload=payload), conflict=("key",))
        return created is not None

    async def add_skipped_many(self, rows: Sequence[dict[str, Any]]) -> set[str]:
        """`add_skipped` for many items (each row `skipped_values`), one INSERT per 1,000: the keys recorded now."""
        created = await insert_ignore_many(self._session, Delivery, rows=rows, conflict=("key",), returning=("key",))
        return {str(row[0]) for row in created}

    async def planned_keys(self, *, program_id: int, prefixes: Sequence[str],
                           due_from: datetime | None = None) -> set[str]:
        """Which of a program's deliveries under these key prefixes were planned already (due at or after
        `due_from`, when given: a planner that only looks at recent sessions need not read a year of keys)."""
        # Plain columns, not ORM rows: a large program's circles hold 100,000s of such keys (issue 18).
        table = Delivery.__table__  # type: ignore[attr-defined]
        await self._session.flush()  # a Core read does not autoflush as an ORM one does
        connection = await self._session.connection()
        since = due_from.astimezone(UTC).replace(tzinfo=None) if due_from is not None else None
        if connection.dialect.name == "postgresql" and prefixes:
            # asyncpg directly, in the same transaction: SQLAlchemy's row handling cost 2-3x the query itself
            # (128,000 keys: 0.5 s against 0.2 s). due_at is stored as naive UTC (storage/types.UTCDateTime).
            driver: Any = (await connection.get_raw_connection()).driver_connection
            likes = " OR ".join(f"key LIKE ${n + 2} ESCAPE '\\'" for n in range(len(prefixes)))
            recent = f" AND due_at >= ${len(prefixes) + 2}" if since is not None else ""
            rows = await driver.fetch(f"SELECT key FROM delivery WHERE program_id = $1 AND ({likes}){recent}",
                                      program_id, *(_like_prefix(p) for p in prefixes),
                                      *((since,) if since is not None else ()))
            return {str(row[0]) for row in rows}
        query = columns_of(table.c.key).where(
            table.c.program_id == program_id, or_(*(table.c.key.startswith(p) for p in prefixes)))
        if due_from is not None:
            query = query.where(table.c.due_at >= due_from)
        found = await connection.execute(query)
        return set(found.scalars().all())

    async def by_key(self, *, key: str) -> Delivery | None:
        found = await self._session.exec(select(Delivery).where(Delivery.key == key))
        return found.first()

    async def reopen(self, *, key: str, now: datetime) -> bool:
        """Queue a failed (or waiting) delivery again at once, with fresh tries and the next round; False when
        it was sent, is being sent right now, or does not exist."""
        row = await self.by_key(key=key)
        if row is None or row.status not in (DeliveryStatus.FAILED, DeliveryStatus.PENDING):
            return False
        row.status, row.attempts, row.next_attempt_at, row.due_at = DeliveryStatus.PENDING, 0, None, now
        row.payload = {**row.payload, "round": int(row.payload.get("round", 0)) + 1}
        self._session.add(row)
        return True

    async def _erase_from_spaces(self, *, workspace_id: int, external_ids: set[str]) -> None:
        """A space's payload lists its members' platform ids and its sent_ref whom the platform skipped: drop the
        erased member's from every space delivery, pending or past (few rows per workspace: read, then rewrite)."""
        if not external_ids:
            return
        rows = await self._session.exec(select(Delivery).where(Delivery.workspace_id == workspace_id,
                                                               Delivery.kind == SPACE_KIND))
        for row in rows.all():
            asked = dict(row.payload.get("space") or {})
            members = [m for m in asked.get("members") or [] if m not in external_ids]
            space, skipped = read_opened(row.sent_ref) if row.sent_ref else ("", [])
            kept = [s for s in skipped if s not in external_ids]
            if members == list(asked.get("members") or []) and kept == skipped:
                continue
            row.payload = {**row.payload, "space": {**asked, "members": members}}
            row.sent_ref = opened_ref(space, kept) if row.sent_ref else row.sent_ref
            self._session.add(row)

    async def exists(self, *, key: str) -> bool:
        found = await self._session.exec(select(Delivery.id).where(Delivery.key == key))
        return found.first() is not None

    async def count(self, *, workspace_id: int, key_prefix: str) -> int:
        found = await self._session.exec(
            select(func.count()).select_from(Delivery).where(
                Delivery.workspace_id == workspace_id, col(Delivery.key).startswith(key_prefix)))
        return int(found.one())

    async def failed_by_kind(self, *, workspace_id: int, since: datetime, until: datetime) -> dict[str, int]:
        """Deliveries that gave up, by kind, among those due in [since, until)."""
        found = await self._session.exec(
            select(Delivery.kind, func.count()).where(
                Delivery.workspace_id == workspace_id, Delivery.status == DeliveryStatus.FAILED,
                col(Delivery.due_at) >= since, col(Delivery.due_at) < until)
            .group_by(Delivery.kind))
        return {str(kind): int(count) for kind, count in found.all()}

    async def skipped_by_kind(self, *, workspace_id: int, since: datetime, until: datetime,
                              reason: str) -> dict[str, int]:
        """Deliveries not sent for `reason` (their last_error, e.g. "stale"), by kind, due in [since, until)."""
        found = await self._session.exec(
            select(Delivery.kind, func.count()).where(
                Delivery.workspace_id == workspace_id, Delivery.status == DeliveryStatus.SKIPPED,
                Delivery.last_error == reason, col(Delivery.due_at) >= since, col(Delivery.due_at) < until)
            .group_by(Delivery.kind))
        return {str(kind): int(count) for kind, count in found.all()}

    async def erase_for(self, *, workspace_id: int, member_id: int, targets: Sequence[str],
                        external_ids: Sequence[str] = ()) -> None:
        """An erased member's deliveries (theirs by member id, or to one of `targets`): unsent ones are skipped,
        and none keeps its text or image. The workspace's files are dropped too, unsent ones skipped. Spaces
        (theirs and others') forget `external_ids`: a pending one opens without them."""
        await self._erase_from_spaces(workspace_id=workspace_id, external_ids=set(external_ids))
        table = Delivery.__table__  # type: ignore[attr-defined]
        theirs = (table.c.workspace_id == workspace_id) & or_(table.c.member_id == member_id,
                                                               table.c.target.in_(list(targets)))
        await self._session.exec(update(table).where(theirs, table.c.status.in_(
            [DeliveryStatus.PENDING, DeliveryStatus.SENDING])).values(status=DeliveryStatus.SKIPPED,
                                                                      last_error="erased"))
        await self._session.exec(update(table).where(theirs).values(payload={"text": "", "blocks": []}, image=None))
        # Exports made before the erasure may hold their data: no copy is kept, and unsent ones are not sent.
        files = (table.c.workspace_id == workspace_id) & (table.c.kind == FILE_KIND)
        await self._session.exec(update(table).where(files, table.c.status == DeliveryStatus.PENDING)
                                 .values(status=DeliveryStatus.SKIPPED, last_error="cancelled by an erasure"))
        # Only files still holding their data: a workspace's thousands of sent invites are not rewritten each time.
        await self._session.exec(update(table).where(files, table.c.image.is_not(None)).values(image=None))
