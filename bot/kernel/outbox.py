"""Queue messages for others in the current transaction; the scheduler's deliverer sends them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.kernel.context import Scope
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from storage.repositories.outbox import pending_values, skipped_values
from storage.tables import Member, Workspace
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


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
    return await uow.outbox.add(
        workspace_id=workspace_id, key=key, kind=kind, target=target.key(), payload=encode(message), due_at=due_at,
        program_id=program_id, member_id=member_id, stale_at=stale_at, image=image)


@dataclass(frozen=True)
class Outgoing:
    """One message `enqueue_many` queues."""

    key: str
    kind: str
    target: Target
    message: Message
    due_at: datetime
    stale_at: datetime | None = None
    member_id: int | None = None


async def enqueue_many(uow: UnitOfWork, *, workspace_id: int, program_id: int | None,
                       items: Sequence[Outgoing]) -> set[str]:
    """`enqueue` for many messages in a few statements (one per 1,000): the keys queued now; the others were
    planned before (by an earlier pass or another replica)."""
    if not items:
        return set()
    return await uow.outbox.add_many([pending_values(
        workspace_id=workspace_id, key=i.key, kind=i.kind, target=i.target.key(), payload=encode(i.message),
        due_at=i.due_at, program_id=program_id, member_id=i.member_id, stale_at=i.stale_at) for i in items])


async def enqueue_file(
    uow: UnitOfWork, *, workspace_id: int, key: str, target: Target, data: bytes, filename: str, title: str,
    due_at: datetime, program_id: int | None = None, member_id: int | None = None,
) -> bool:
    """Queue a file (sent with `Messenger.send_file`) once per idempotency key; False when it was queued before."""
    return await uow.outbox.add_file(
        workspace_id=workspace_id, key=key, target=target.key(), data=data, filename=filename,
        payload=encode(Message(text=title)), due_at=due_at, program_id=program_id, member_id=member_id)


async def note_stale(pc: PlanContext, *, key: str, kind: str, target: Target, due: datetime, stale: datetime | None,
                     member_id: int | None = None, reason: str = "stale before it was planned") -> bool:
    """Record, once, that an item will not be sent: it went stale before the planner ran, or its reader paused.

    A skipped row under the same idempotency key keeps it from being planned later and lets admins see it.
    """
    note = StaleNote(key=key, kind=kind, target=target, due=due, stale=stale, member_id=member_id, reason=reason)
    return await note_stale_many(pc, [note]) == 1


@dataclass(frozen=True)
class StaleNote:
    """One `note_stale` that `note_stale_many` records with others."""

    key: str
    kind: str
    target: Target
    due: datetime
    stale: datetime | None
    member_id: int | None = None
    reason: str = "stale before it was planned"


async def note_stale_many(pc: PlanContext, notes: Sequence[StaleNote]) -> int:
    """`note_stale` for many items, one INSERT per 1,000 (a tick that catches up notes thousands): how many were
    recorded now."""
    if not notes:
        return 0
    payload = encode(Message(text=""))
    created = await pc.uow.outbox.add_skipped_many([skipped_values(
        workspace_id=pc.workspace_id, program_id=pc.program.id, key=n.key, kind=n.kind, target=n.target.key(),
        member_id=n.member_id, due_at=n.due, stale_at=n.stale, now=pc.now, reason=n.reason, payload=payload)
        for n in notes])
    if created:
        kinds = sorted({n.kind for n in notes if n.key in created})
        log.info("program %s: %d not to be sent (%s): stale before planned, or the reader paused",
                 pc.program.id, len(created), ", ".join(kinds))
    return len(created)


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
