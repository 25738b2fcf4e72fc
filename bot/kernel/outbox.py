"""Queue messages for others in the current transaction; the scheduler's deliverer sends them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.kernel.context import Scope
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from bot.kernel.ports import Target
from storage.tables import Delivery, DeliveryStatus, Member, Workspace
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


def user_target(workspace: Workspace, external_id: str) -> Target:
    return Target(platform=workspace.platform, workspace_id=workspace.external_id, kind="user", ref=external_id)


async def dm(ctx: Scope, *, member: Member, key: str, kind: str, build: Callable[[Translator], Message],
             program_id: int | None = None) -> bool:
    """Queue a DM to a member in their own language (once per idempotency key)."""
    t = Translator(resolve_locale(member.locale, ctx.workspace.locale))
    return await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=key, kind=kind,
                         target=user_target(ctx.workspace, member.external_id), message=build(t), due_at=ctx.now,
                         program_id=program_id, member_id=member.id)


async def post(ctx: Scope, *, target: Target, key: str, kind: str, message: Message,
               program_id: int | None = None) -> bool:
    return await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=key, kind=kind, target=target,
                         message=message, due_at=ctx.now, program_id=program_id)
