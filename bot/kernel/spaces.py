"""Opening a circle's or pair's space as a durable delivery: tried once after the commit, then by the deliverer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.kernel.admins import admin_recipients
from bot.kernel.config import CoreConfig
from bot.kernel.context import Ctx, Scope, Services, SpaceRequest
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.ports import DeliveryError, MessageRef, Messenger, SpaceRef, SpaceUnsupported, Target
from storage.repositories import outbox_claims as claims
from storage.repositories.outbox import SPACE_CHANGE_KIND, SPACE_KIND, SpaceChange, SpaceOrder, opened_ref
from storage.tables import DeliveryStatus, Workspace

log = logging.getLogger(__name__)

# Teams opens a circle's thread only in a channel where Lingkar is installed (without Microsoft Graph), and
# announces nowhere else; Slack creates a private channel per circle wherever the command was typed. A program on
# such a platform needs a channel (its home) before its circles can meet.
NEEDS_HOME = frozenset({"teams"})


def needs_home(workspace: Workspace) -> bool:
    return workspace.platform in NEEDS_HOME

WORKER = "core"  # the claim's owner while the core opens a space right after a command
LEASE = timedelta(minutes=5)  # longer than any open_space: the deliverer takes the row over only after a crash
FIRST_RETRY = timedelta(seconds=30)  # the deliverer's own backoff takes over from the second try


async def queue_space(scope: Scope, *, request: SpaceRequest, program_id: int | None) -> None:
    """Put the space on record in the caller's unit of work, once per `request.key`."""
    workspace = scope.workspace
    waiting = Target(platform=workspace.platform, workspace_id=workspace.external_id, kind="space",
                     ref=f"new:{request.key}")
    await scope.uow.outbox.add(
        workspace_id=scope.workspace_id, key=request.key, kind=SPACE_KIND, target=waiting.key(),
        program_id=program_id, due_at=scope.now, payload={"round": 0, "space": {
            "name": request.name, "members": list(request.members), "private": request.private,
            "parent": request.parent.key() if request.parent else None, "group_chat": request.group_chat}})


async def queue_space_change(scope: Scope, *, space: str, key: str, action: str, members: tuple[str, ...] = (),
                             program_id: int | None, due_at: datetime | None = None) -> bool:
    """Add members to a space that exists (`space` is its Target key), or archive it: a durable delivery, once per
    `key`, sent by the deliverer at `due_at` (an archive is due a little after the closing message it follows).
    False when it was queued before."""
    if action not in ("add", "archive"):
        raise ValueError(f"unknown space change {action!r}")
    return await scope.uow.outbox.add(
        workspace_id=scope.workspace_id, key=key, kind=SPACE_CHANGE_KIND, target=space, program_id=program_id,
        due_at=due_at or scope.now, payload={"change": {"action": action, "members": list(members)}})


async def change_space(messenger: Messenger, target: Target, change: SpaceChange) -> MessageRef:
    """The deliverer's send for a space change."""
    if change.action == "archive":
        await messenger.archive_space(target)
    else:
        await messenger.add_to_space(SpaceRef(target=target, name=target.ref), list(change.members))
    return MessageRef(target=target, message_id=change.action)


async def open_after_commit(ctx: Ctx, then: Callable[[Ctx, SpaceRef | None], Awaitable[None]], *,
                            request: SpaceRequest, program_id: int | None) -> None:
    """Queue the space durably now; the core tries it right after the commit and calls `then` if it opened.
    Otherwise the deliverer retries it, and the owner's planner finishes what `then` would have done."""
    await queue_space(ctx, request=request, program_id=program_id)
    ctx.after_commit(then, space=request)


async def tell_admins(scope: Scope, config: CoreConfig, *, key: str, program_id: int | None,
                      build: Callable[[Translator], Message]) -> None:
    """notify_admins for a planner as well as a handler: each admin who can be written to here, in their language."""
    for external_id, member in await admin_recipients(scope, config=config):
        t = Translator(resolve_locale(member.locale if member else None, scope.workspace.locale))
        await enqueue(scope.uow, workspace_id=scope.workspace_id, key=f"{key}:{external_id}", kind="admin",
                      target=user_target(scope.workspace, external_id), message=build(t), due_at=scope.now,
                      program_id=program_id)


async def open_ordered(messenger: Messenger, target: Target, order: SpaceOrder) -> MessageRef:
    """The deliverer's send for a space delivery: the ref it records is the space (`opened_ref`)."""
    space = await messenger.open_space(
        workspace_id=target.workspace_id, platform=target.platform, name=order.name, members=list(order.members),
        private=order.private, parent=Target.from_key(order.parent) if order.parent else None,
        group_chat=order.group_chat)
    return MessageRef(target=space.target, message_id=opened_ref(space.target.key(), space.skipped))


async def open_claimed(services: Services, *, request: SpaceRequest, workspace: Workspace) -> SpaceRef | None:
    """Open a queued space now if nobody else holds it, recording the outcome on its delivery like the deliverer
    does: sent, back in the queue (a transient error), or failed for good (the owner's planner tells the admins)."""
    now = services.clock.now()
    row = await claims.claim_key(services.uow, key=request.key, worker_id=WORKER, now=now, lease_until=now + LEASE)
    if row is None or row.id is None:
        return None
    try:
        space = await services.messenger.open_space(
            workspace_id=workspace.external_id, platform=workspace.platform, name=request.name,
            members=list(request.members), private=request.private, parent=request.parent,
            group_chat=request.group_chat)
    except DeliveryError as error:
        described = f"{type(error).__name__}: {error}"
        log.warning("could not open space %s yet: %s", row.id, described)
        if isinstance(error, SpaceUnsupported):  # by design on this platform: the owner falls back quietly
            await claims.mark_failed(services.uow, delivery_id=row.id, worker_id=WORKER, error=described,
                                     status=DeliveryStatus.SKIPPED)
        elif error.permanent:
            await claims.mark_failed(services.uow, delivery_id=row.id, worker_id=WORKER, error=described)
        else:
            wait = timedelta(seconds=error.retry_after) if error.retry_after is not None else FIRST_RETRY
            await claims.mark_retry(services.uow, delivery_id=row.id, worker_id=WORKER, at=now + wait,
                                    error=described)
        return None
    await claims.mark_sent(services.uow, delivery_id=row.id, worker_id=WORKER, now=services.clock.now(),
                           ref=opened_ref(space.target.key(), space.skipped))
    return space
