"""Messages to people other than the actor, queued through the outbox in the actor's transaction."""

from __future__ import annotations

from collections.abc import Callable

from bot.context import Ctx, Scope
from bot.i18n import Translator, resolve_locale
from bot.messages import Message
from bot.outbox import enqueue
from bot.ports import Target
from storage.tables import Member, Workspace


def user_target(workspace: Workspace, external_id: str) -> Target:
    return Target(platform=workspace.platform, workspace_id=workspace.external_id, kind="user", ref=external_id)


async def admin_ids(ctx: Ctx) -> list[str]:
    configured = sorted(ctx.services.config.admins)
    stored = await ctx.uow.admins.list(workspace_id=ctx.workspace_id)
    return list(dict.fromkeys([*stored, *configured]))


async def locale_of(ctx: Ctx, external_id: str) -> str:
    member = await ctx.uow.members.by_external_id(workspace_id=ctx.workspace_id, external_id=external_id)
    return resolve_locale(member.locale if member else None, ctx.workspace.locale)


async def dm(ctx: Scope, *, member: Member, key: str, kind: str, build: Callable[[Translator], Message],
             program_id: int | None = None) -> bool:
    """Queue a DM to a member in their own language (once per idempotency key)."""
    t = Translator(resolve_locale(member.locale, ctx.workspace.locale))
    return await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=key, kind=kind,
                         target=user_target(ctx.workspace, member.external_id), message=build(t), due_at=ctx.now,
                         program_id=program_id, member_id=member.id)


async def notify_admins(ctx: Ctx, *, key: str, kind: str, build: Callable[[Translator], Message],
                        program_id: int | None = None) -> int:
    """Queue a DM to every admin, each in their language; returns how many were queued."""
    queued = 0
    for external_id in await admin_ids(ctx):
        t = Translator(await locale_of(ctx, external_id))
        queued += await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=f"{key}:{external_id}", kind=kind,
                                target=user_target(ctx.workspace, external_id), message=build(t), due_at=ctx.now,
                                program_id=program_id)
    return queued


async def post(ctx: Scope, *, target: Target, key: str, kind: str, message: Message,
               program_id: int | None = None) -> bool:
    return await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=key, kind=kind, target=target,
                         message=message, due_at=ctx.now, program_id=program_id)
