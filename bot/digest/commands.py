"""Admin commands: `digest now` (this week's digest, on demand) and `export <program>` (CSVs in a zip)."""

from __future__ import annotations

from bot.digest.export import export_zip
from bot.digest.figures import build_digest, iso_week
from bot.digest.message import chart_or_none, digest_message
from bot.digest.planner import zone_of
from bot.feedback.disclosure import k_of
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue, enqueue_file
from bot.kernel.program_lookup import find_program
from bot.kernel.replies import Reply, Response


async def digest_now(ctx: Ctx, args: str) -> list[Response]:
    """The digest as of now, to the admin who asked; the chart follows in their DM. Snapshots stay weekly."""
    zone = zone_of(ctx.member.timezone, ctx.workspace.timezone)
    week = iso_week(ctx.now.astimezone(zone).date())
    digest = await build_digest(ctx.uow, ctx.workspace, now=ctx.now, week=week, config=ctx.services.config)
    chart = chart_or_none(ctx.t, digest) if digest.programs else None
    if chart is not None:  # with nothing held yet the digest's sentence says so; no image of empty axes
        key = f"digest-now:{ctx.workspace_id}:{ctx.actor.user_id}:{ctx.now.isoformat()}"
        await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=key, kind="digest_chart", target=ctx.user_target(),
                      message=Message(text=ctx.t("digest.chart_title")), due_at=ctx.now, member_id=ctx.member_id,
                      image=chart)
    return [Reply(digest_message(ctx.t, digest, k=ctx.services.config.k_anonymity))]


async def export(ctx: Ctx, args: str) -> list[Response]:
    if not args.strip():
        raise UserError("digest.export_usage")
    program = await find_program(ctx, args.strip())
    stamp = ctx.now.strftime("%Y%m%d-%H%M")
    folder = f"lingkar-{program.slug}-{stamp}"
    data, counts = await export_zip(ctx.uow, program, t=ctx.t, k=k_of(program, ctx.services.config.k_anonymity),
                                    now=ctx.now, folder=folder)
    key = f"export:{program.id}:{ctx.actor.user_id}:{ctx.now.isoformat()}"
    await enqueue_file(ctx.uow, workspace_id=ctx.workspace_id, key=key,
                       target=ctx.user_target(), data=data, filename=f"{folder}.zip",
                       title=ctx.t("digest.export_title", program=program.name), due_at=ctx.now,
                       program_id=program.id, member_id=ctx.member_id)
    rows = ", ".join(f"{name} ({count})" for name, count in counts.items())
    return [Reply(Message(text=ctx.t("digest.export_queued", program=program.name, files=rows)))]
