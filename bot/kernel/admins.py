"""Lingkar admins as recipients: who they are in a workspace, and messages to them."""

from __future__ import annotations

from collections.abc import Callable

from bot.kernel.config import CoreConfig
from bot.kernel.context import Ctx, Scope
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue, user_target
from storage.tables import Member


async def admin_ids(ctx: Ctx) -> list[str]:
    """Everyone who is an admin here, for listing: stored admins first, then configured ones (sorted)."""
    configured = sorted(ctx.services.config.admins)
    stored = await ctx.uow.admins.list(workspace_id=ctx.workspace_id)
    return list(dict.fromkeys([*stored, *configured]))


async def admin_recipients(scope: Scope, *, config: CoreConfig) -> list[tuple[str, Member | None]]:
    """The one rule for who gets an admin notice here: every WorkspaceAdmin (stored first), then configured admins
    (sorted) who are members of this workspace, never an erased member. LINGKAR_ADMINS names people across
    workspaces; only where they exist may we write to them."""
    workspace_id = scope.workspace_id
    found: list[tuple[str, Member | None]] = []
    stored = await scope.uow.admins.list(workspace_id=workspace_id)
    for external_id in dict.fromkeys([*stored, *sorted(config.admins)]):
        member = await scope.uow.members.by_external_id(workspace_id=workspace_id, external_id=external_id)
        if (member is None and external_id not in stored) or (member is not None and member.erased):
            continue
        found.append((external_id, member))
    return found


async def notify_admins(ctx: Ctx, *, key: str, kind: str, build: Callable[[Translator], Message],
                        program_id: int | None = None) -> int:
    """Queue a DM to every admin who can get one here (`admin_recipients`), each in their language; returns how
    many were queued."""
    queued = 0
    for external_id, member in await admin_recipients(ctx, config=ctx.services.config):
        t = Translator(resolve_locale(member.locale if member else None, ctx.workspace.locale))
        queued += await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=f"{key}:{external_id}", kind=kind,
                                target=user_target(ctx.workspace, external_id), message=build(t), due_at=ctx.now,
                                program_id=program_id)
    return queued
