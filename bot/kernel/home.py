"""The member's home view, assembled from the capabilities' home sections in their order."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.messages import Block, Context, Divider, Fields, Header, Message


async def home_message(ctx: Ctx) -> Message:
    title = ctx.t("home.title", name=ctx.member.display_name or ctx.actor.user_id)
    blocks: list[Block] = [Header(title)]
    lines = [title]
    fields: list[tuple[str, str]] = []
    for section in ctx.hooks.home:
        part = await section.build(ctx)
        blocks.extend(part.blocks)
        lines.extend(part.lines)
        fields.extend(part.fields)
    if fields:
        blocks.append(Fields(tuple(fields)))
        lines.extend(f"{a}: {b}" for a, b in fields)
    blocks.extend([Divider(), Context(ctx.t("home.hint"))])
    lines.append(ctx.t("home.hint"))
    return Message(text="\n".join(lines), blocks=tuple(blocks))
