"""Acting for a member: a Ctx for someone other than the actor (a waitlisted member moved up), or for a planner that
does what an admin's command does (enrollment opening and closing on their dates)."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.kernel.admins import admin_recipients
from bot.kernel.context import Ctx
from bot.kernel.events import Actor
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.planning import PlanContext
from storage.tables import Member, Workspace

log = logging.getLogger(__name__)


def _actor(workspace: Workspace, member: Member) -> Actor:
    return Actor(platform=workspace.platform, workspace_id=workspace.external_id, user_id=member.external_id,
                 display_name=member.display_name, locale=member.locale)


def as_member(ctx: Ctx, member: Member) -> Ctx:
    """The same unit of work, hooks and moment, speaking for `member` in their language (their admin rights are
    looked up again if asked). After-commit steps still go to the actor's list, which the Core runs."""
    t = Translator(resolve_locale(member.locale, ctx.workspace.locale))
    return replace(ctx, actor=_actor(ctx.workspace, member), member=member, t=t, _admin=None)


async def planner_ctx(pc: PlanContext) -> Ctx | None:
    """A Ctx inside the planner's unit of work, acting as the program's creator (or else the first admin who is a
    member here). Its after-commit steps are never run: whatever it opens must be durable (spaces are queued
    deliveries that their owners' planners settle). None when the pass has no core hooks or nobody can act."""
    if pc.hooks is None or pc.services is None:
        log.warning("program %s: planning without the core's hooks; its scheduled step waits", pc.program.id)
        return None
    member = await _creator(pc)
    if member is None:
        log.warning("program %s: no admin to act for; its scheduled step waits", pc.program.id)
        return None
    t = Translator(resolve_locale(member.locale, pc.workspace.locale))
    return Ctx(services=pc.services, uow=pc.uow, actor=_actor(pc.workspace, member), workspace=pc.workspace,
               member=member, t=t, now=pc.now, hooks=pc.hooks)


async def _creator(pc: PlanContext) -> Member | None:
    creator_id = pc.program.created_by_member_id
    if creator_id is not None:
        creator = await pc.uow.members.get(workspace_id=pc.workspace_id, member_id=creator_id)
        if creator is not None and not creator.erased:
            return creator
    for _, member in await admin_recipients(pc, config=pc.config):
        if member is not None:
            return member
    return None
