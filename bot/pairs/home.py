"""The pair lines of a member's home view: who their partner is."""

from __future__ import annotations

from bot.kernel.context import Ctx, HomePart, HomeSection


async def _partner_part(ctx: Ctx) -> HomePart:
    fields: list[tuple[str, str]] = []
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        partner_id = pair.mentee_member_id if pair.mentor_member_id == ctx.member_id else pair.mentor_member_id
        partner = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=partner_id)
        if partner is not None:
            fields.append((ctx.t("home.pair"), partner.name))
    return HomePart(fields=tuple(fields))


PARTNER_SECTION = HomeSection(order=20, build=_partner_part)
