"""`program form`'s reply, completed once the circles' spaces were tried: how many have somewhere to meet, and the
fix for those that do not (`program channel` when the program has no home, else `circle retry`)."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.messages import Message
from bot.kernel.ports import SpaceRef
from bot.kernel.replies import Reply, Response
from bot.programs.home import needs_home
from storage.repositories.outbox import space_key
from storage.tables import CircleStatus, DeliveryStatus

GIVEN_UP = (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)


async def report_spaces(ctx: Ctx, space: SpaceRef | None, *, program_id: int, responses: list[Response]) -> None:
    """Runs after the spaces' first tries (steps run in order): rewrites the first reply when a circle has none."""
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=program_id)
    if program is None or not responses or not isinstance(responses[0], Reply):
        return
    circles = [c for c in await ctx.uow.circles.of_program(workspace_id=ctx.workspace_id, program_id=program_id)
               if c.status == CircleStatus.ACTIVE]
    refused: list[tuple[int, str, str]] = []  # (circle id, name, the platform's reason)
    waiting: list[str] = []
    for circle in circles:
        if circle.space:
            continue
        row = await ctx.uow.outbox.by_key(key=space_key("circle", circle.id or 0))
        if row is not None and row.status in GIVEN_UP:
            refused.append((circle.id or 0, circle.name, row.last_error or "?"))
        else:
            waiting.append(circle.name)
    if not refused and not waiting:
        return
    t = ctx.t
    names = ", ".join([f"{name} (#{circle_id})" for circle_id, name, _ in refused] + waiting)
    lines = [t("program_home.formed_without_space", missing=len(refused) + len(waiting), count=len(circles),
               circles=names)]
    if refused and not program.announcement_target and needs_home(ctx):
        lines.append(t("program_home.no_home_fix", program=program.name, slug=program.slug))
    elif refused:
        lines.append(t("program_home.refused_fix", cause=refused[0][2], command=f"circle retry {refused[0][0]}"))
    if waiting:
        lines.append(t("program_home.still_trying", count=len(waiting)))
    first = responses[0]
    responses[0] = Reply(Message(text="\n".join([first.message.text, *lines])), ephemeral=first.ephemeral)
