"""A member confirms a proposal; when every active member has, it is in force and becomes the group's schedule."""

from __future__ import annotations

from collections.abc import Callable

from bot.agreements.groups import Group, load_group, own_group
from bot.agreements.messages import confirmed_message
from bot.agreements.render import new_stretch
from bot.agreements.terms import Terms, terms_of
from bot.kernel.context import Ctx, Scope
from bot.kernel.events import Action
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.outbox import dm, post
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.planning import PlanContext
from bot.kernel.replies import Reply, Response
from bot.kernel.timetable import stretches_of
from bot.sessions.series import channel_translator
from storage.tables import Agreement, AgreementStatus, Member


async def confirm_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """`agreement.confirm:<agreement id>`: the actor's own group, its program running, the proposal still waiting."""
    agreement = await ctx.uow.agreements.get(workspace_id=ctx.workspace_id, agreement_id=int_id(arg))
    if agreement is None or agreement.id is None:
        raise Unavailable()
    kind, _, group_id = agreement.group.partition(":")
    group = await own_group(ctx, f"{kind}.{group_id}")
    if group.program.id != agreement.program_id:
        raise Unavailable()
    # Confirmations of one version queue here, so the last two at once both count each other.
    await ctx.uow.agreements.lock(agreement_id=agreement.id)
    await ctx.uow.agreements.reread(agreement)
    if agreement.status != AgreementStatus.PROPOSED:
        raise Unavailable()
    created = await ctx.uow.agreements.confirm(workspace_id=ctx.workspace_id, agreement_id=agreement.id,
                                               member_id=ctx.member_id, now=ctx.now)
    if created:
        ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="agreement.confirmed",
                             actor_member_id=ctx.member_id, detail={
                                 "group": group.key, "version": agreement.version, "agreement_id": agreement.id})
    if await apply_if_everyone(ctx, group, agreement.id):
        return [Reply(Message(text=ctx.t("agreements.confirmed.you_last", group=group.name)))]
    waiting = await waiting_for(ctx, group, agreement.id)
    key = "agreements.confirmed.you" if created else "agreements.confirmed.already"
    return [Reply(Message(text=ctx.t(key, names=", ".join(m.name for m in waiting))))]


async def waiting_for(ctx: Scope, group: Group, agreement_id: int) -> list[Member]:
    confirmed = await ctx.uow.agreements.confirmed_by(agreement_id=agreement_id)
    return [m for m in group.members if m.id not in confirmed]


async def apply_if_everyone(ctx: Scope, group: Group, agreement_id: int) -> bool:
    """Everyone active has confirmed: the version is in force (once, compared and set), the older one superseded,
    the group's schedule gets the agreed slot from its next session, and the group hears it. True when this call
    settled it."""
    if await waiting_for(ctx, group, agreement_id):
        return False
    if not await ctx.uow.agreements.settle(agreement_id=agreement_id, now=ctx.now):
        return False
    await ctx.uow.agreements.supersede_others(group=group.key, keep_id=agreement_id,
                                              status=AgreementStatus.CONFIRMED)
    agreement = await ctx.uow.agreements.get(workspace_id=ctx.workspace_id, agreement_id=agreement_id)
    assert agreement is not None
    await ctx.uow.agreements.reread(group.unit)
    terms = terms_of(agreement)
    stretch = new_stretch(group, terms, now=ctx.now)
    group.unit.schedule = [*_earlier(group.unit.schedule or [], stretch.start), stretch.to_json()]
    ctx.uow.agreements.save(group.unit)
    await _announce(ctx, group, agreement)
    return True


def _earlier(schedule: list[dict[str, object]], start: int) -> list[dict[str, object]]:
    """Stored stretches that govern sessions before `start` (held ones keep their times)."""
    return [raw for raw in schedule if stretches_of([raw]) and stretches_of([raw])[0].start < start]


async def _announce(ctx: Scope, group: Group, agreement: Agreement) -> None:
    terms = terms_of(agreement)
    key = f"agreement-confirmed:{agreement.id}"
    space = group.space
    if space is not None:
        t = channel_translator(ctx.workspace, group.members)
        await post(ctx, target=space, key=key, kind="agreement", program_id=group.program.id,
                   message=confirmed_message(t, group, terms, now=ctx.now, reader=None))
        return
    for member in group.members:
        await dm(ctx, member=member, key=f"{key}:{member.id}", kind="agreement", program_id=group.program.id,
                 build=_confirmed_for(ctx, group, terms, member))


def _confirmed_for(ctx: Scope, group: Group, terms: Terms, reader: Member) -> Callable[[Translator], Message]:
    return lambda t: confirmed_message(t, group, terms, now=ctx.now, reader=reader)


async def settle_waiting(pc: PlanContext) -> int:
    """A proposal whose last unconfirmed member left (the circle, the program, or Lingkar) is in force once everyone
    still there has confirmed: checked on each tick, so every way of leaving is covered."""
    settled = 0
    for agreement in await pc.uow.agreements.waiting(program_id=pc.program.id or 0):
        kind, _, group_id = agreement.group.partition(":")
        group = await load_group(pc, "circle" if kind == "circle" else "pair", int(group_id or 0))
        if group is not None and group.members and agreement.id is not None:
            settled += await apply_if_everyone(pc, group, agreement.id)
    return settled
