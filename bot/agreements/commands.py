"""`agreement` (`kesepakatan`): open the form for the actor's group; `agreement show`: what is agreed and waiting."""

from __future__ import annotations

from bot.agreements.form import agreement_form
from bot.agreements.groups import Group, groups_of_actor, own_group
from bot.agreements.messages import OPEN_ACTION, proposal_buttons
from bot.agreements.render import as_text, fields_block
from bot.agreements.terms import terms_of
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.messages import Block, Button, Buttons, Divider, Header, Message, Text
from bot.kernel.replies import OpenForm, Reply, Response
from storage.tables import Agreement, AgreementStatus


async def _mine(ctx: Ctx) -> list[Group]:
    groups = await groups_of_actor(ctx)
    if not groups:
        raise UserError("agreements.no_group")
    return groups


async def agreement_command(ctx: Ctx, args: str) -> list[Response]:
    """One group: its form. Several: a button each, so the member says which."""
    groups = await _mine(ctx)
    if len(groups) == 1:
        return await _open(ctx, groups[0])
    text = ctx.t("agreements.which")
    buttons = Buttons(tuple(Button(ctx.t("agreements.which_button", group=g.name, program=g.program.name),
                                   f"{OPEN_ACTION}:{g.ref}") for g in groups[:20]))
    return [Reply(Message(text=text, blocks=(Text(text), buttons)))]


async def open_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """`agreement.open:<kind>.<id>`: the group's form, re-checked (the actor is an active member; it runs)."""
    return await _open(ctx, await own_group(ctx, arg))


async def _open(ctx: Ctx, group: Group) -> list[Response]:
    versions = await ctx.uow.agreements.of_group(workspace_id=ctx.workspace_id, group=group.key)
    return [OpenForm(agreement_form(ctx, group, versions))]


async def show_command(ctx: Ctx, args: str) -> list[Response]:
    """The agreement in force and any proposal waiting, with who has confirmed, for each of the actor's groups."""
    lines: list[str] = []
    blocks: list[Block] = []
    for group in await _mine(ctx):
        if blocks:
            blocks.append(Divider())
        part_lines, part_blocks = await _group_part(ctx, group)
        lines.extend(part_lines)
        blocks.extend(part_blocks)
    return [Reply(Message(text="\n".join(lines), blocks=tuple(blocks)))]


async def _group_part(ctx: Ctx, group: Group) -> tuple[list[str], list[Block]]:
    t = ctx.t
    versions = await ctx.uow.agreements.of_group(workspace_id=ctx.workspace_id, group=group.key)
    title = t("agreements.show.title", group=group.name, program=group.program.name)
    lines: list[str] = [title]
    blocks: list[Block] = [Header(title)]
    in_force = _last(versions, AgreementStatus.CONFIRMED)
    waiting = _last(versions, AgreementStatus.PROPOSED)
    if in_force is None and waiting is None:
        none = t("agreements.show.none")
        return [*lines, none], [*blocks, Text(none), proposal_buttons(t, group, None)]
    if in_force is not None:
        head = t("agreements.show.in_force", version=in_force.version)
        lines += [head, as_text(t, terms_of(in_force), now=ctx.now)]
        blocks += [Text(head), fields_block(t, terms_of(in_force), now=ctx.now)]
    if waiting is not None and waiting.id is not None:
        confirmed = await ctx.uow.agreements.confirmed_by(agreement_id=waiting.id)
        yes = ", ".join(m.name for m in group.members if m.id in confirmed) or "-"
        no = ", ".join(m.name for m in group.members if m.id not in confirmed) or "-"
        head = t("agreements.show.waiting", version=waiting.version)
        who = t("agreements.show.who", yes=yes, no=no)
        lines += [head, as_text(t, terms_of(waiting), now=ctx.now), who]
        mine = None if ctx.member_id in confirmed else waiting.id
        blocks += [Text(head), fields_block(t, terms_of(waiting), now=ctx.now), Text(who),
                   proposal_buttons(t, group, mine)]
    else:
        blocks.append(proposal_buttons(t, group, None))
    return lines, blocks


def _last(versions: list[Agreement], status: str) -> Agreement | None:
    found = [a for a in versions if a.status == status]
    return found[-1] if found else None
