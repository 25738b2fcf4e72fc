"""Queue messages for others in the current transaction; the scheduler's deliverer sends them."""

from __future__ import annotations

from datetime import datetime

from bot.message_codec import encode
from bot.messages import Message
from bot.ports import Target
from storage.tables import Delivery, DeliveryStatus
from storage.uow import UnitOfWork
from storage.upsert import insert_ignore


async def enqueue(
    uow: UnitOfWork,
    *,
    workspace_id: int,
    key: str,
    kind: str,
    target: Target,
    message: Message,
    due_at: datetime,
    program_id: int | None = None,
    member_id: int | None = None,
    stale_at: datetime | None = None,
    image: bytes | None = None,
) -> bool:
    """True if queued now; False if a delivery with this idempotency key already exists (planned before)."""
    new_id = await insert_ignore(
        uow.session,
        Delivery,
        values={
            "workspace_id": workspace_id, "program_id": program_id, "key": key[:255], "kind": kind,
            "target": target.key(), "member_id": member_id, "payload": encode(message), "image": image,
            "status": DeliveryStatus.PENDING, "due_at": due_at, "stale_at": stale_at, "attempts": 0,
            "created_at": due_at,
        },
        conflict=("key",),
    )
    return new_id is not None
