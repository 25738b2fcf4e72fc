"""The member's home view: their programs, circle or pair, and the next session, in their language."""

from __future__ import annotations

from bot.circles.home import home_fields
from bot.enrollment.commands import status
from bot.kernel.calendar import next_session
from bot.kernel.context import Ctx
from bot.kernel.i18n import format_moment
from bot.kernel.messages import Block, Context, Divider, Fields, Header, Message
from bot.kernel.replies import Reply
from storage.tables import CircleMemberStatus


async def _circle_lines(ctx: Ctx) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for membership in await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        if membership.status != CircleMemberStatus.ACTIVE:
            continue
        circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=membership.circle_id)
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=membership.program_id)
        if circle is None or program is None or program.state != "running":
            continue
        upcoming = next_session(program, ctx.now)
        when = format_moment(upcoming[1], timezone=ctx.member.timezone, locale=ctx.t.locale) if upcoming else "-"
        pairs.append((ctx.t("home.circle"), circle.name))
        pairs.append((ctx.t("circles.next_session"), when))
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        partner_id = pair.mentee_member_id if pair.mentor_member_id == ctx.member_id else pair.mentor_member_id
        partner = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=partner_id)
        if partner is not None:
            pairs.append((ctx.t("home.pair"), partner.display_name or partner.external_id))
    return pairs


async def home_message(ctx: Ctx) -> Message:
    title = ctx.t("home.title", name=ctx.member.display_name or ctx.actor.user_id)
    blocks: list[Block] = [Header(title)]
    lines = [title]
    for response in await status(ctx, ""):
        if isinstance(response, Reply):
            blocks.extend(response.message.blocks)
            lines.append(response.message.text)
    extra = await _circle_lines(ctx) + await home_fields(ctx)
    if extra:
        blocks.append(Fields(tuple(extra)))
        lines.extend(f"{a}: {b}" for a, b in extra)
    blocks.extend([Divider(), Context(ctx.t("home.hint"))])
    lines.append(ctx.t("home.hint"))
    return Message(text="\n".join(lines), blocks=tuple(blocks))
