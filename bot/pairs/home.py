"""The pair lines of a member's home view: who their partner is, and when they next meet."""

from __future__ import annotations

from bot.kernel.context import Ctx, HomePart, HomeSection
from bot.kernel.i18n import format_moment
from bot.pairs.when import member_zone, next_meeting
from storage.tables import ProgramState


async def _partner_part(ctx: Ctx) -> HomePart:
    fields: list[tuple[str, str]] = []
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        partner_id = pair.mentee_member_id if pair.mentor_member_id == ctx.member_id else pair.mentor_member_id
        partner = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=partner_id)
        if partner is None:
            continue
        fields.append((ctx.t("home.pair"), partner.name))
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=pair.program_id)
        moment = next_meeting(program, pair, now=ctx.now) \
            if program is not None and program.state == ProgramState.RUNNING else None
        if program is not None and moment is not None:  # the pair's own time, in the reader's own zone
            fields.append((ctx.t("pairs.home_next"), format_moment(
                moment, timezone=member_zone(ctx.member, program), locale=ctx.t.locale)))
    return HomePart(fields=tuple(fields))


PARTNER_SECTION = HomeSection(order=20, build=_partner_part)
