"""The member's home view: what they are in and what is waiting for them. Capabilities add sections."""

from __future__ import annotations

from bot.context import Ctx
from bot.enrollment import status
from bot.messages import Block, Context, Divider, Header, Message
from bot.replies import Reply


async def home_message(ctx: Ctx) -> Message:
    blocks: list[Block] = [Header(ctx.t("home.title", name=ctx.member.display_name or ctx.actor.user_id))]
    lines = [blocks[0].text]  # type: ignore[union-attr]
    for response in await status(ctx, ""):
        if isinstance(response, Reply):
            blocks.extend(response.message.blocks)
            lines.append(response.message.text)
    blocks.extend([Divider(), Context(ctx.t("home.hint"))])
    lines.append(ctx.t("home.hint"))
    return Message(text="\n".join(lines), blocks=tuple(blocks))
