"""Lingkar admins (HR / L&D): add, remove and list them. Only admins may change the list."""

from __future__ import annotations

import uuid

from bot.kernel.admins import admin_ids
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.grammar import mentioned_users
from bot.kernel.messages import Message
from bot.kernel.replies import Reply, Response


def _one_user(args: str) -> str:
    """One @mention, or one Entra object id as typed (Teams knows members by it, and a 1:1 chat with the bot cannot
    @mention anyone): lower-cased, as Teams sends it."""
    users = mentioned_users(args)
    if len(users) == 1:
        return users[0]
    words = args.split()
    if not users and len(words) == 1:
        try:
            return str(uuid.UUID(words[0]))
        except ValueError:
            pass
    raise UserError("admin.usage_with_id")


async def admin_add(ctx: Ctx, args: str) -> list[Response]:
    user = _one_user(args)
    added = await ctx.uow.admins.add(workspace_id=ctx.workspace_id, user_external_id=user,
                                     added_by=ctx.actor.user_id, now=ctx.now)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="admin.added",
                         actor_member_id=ctx.member_id, detail={"user": user})
    return [Reply(Message(text=ctx.t("admin.added" if added else "admin.already", user=f"<@{user}>")))]


async def admin_remove(ctx: Ctx, args: str) -> list[Response]:
    user = _one_user(args)
    if user in ctx.services.config.admins:
        raise UserError("admin.configured", user=f"<@{user}>")
    if not await ctx.uow.admins.remove(workspace_id=ctx.workspace_id, user_external_id=user):
        raise UserError("admin.not_admin", user=f"<@{user}>")
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="admin.removed",
                         actor_member_id=ctx.member_id, detail={"user": user})
    return [Reply(Message(text=ctx.t("admin.removed", user=f"<@{user}>")))]


async def admin_list(ctx: Ctx, args: str) -> list[Response]:
    names = ", ".join(f"<@{u}>" for u in await admin_ids(ctx)) or "-"
    return [Reply(Message(text=ctx.t("admin.list", admins=names)))]
