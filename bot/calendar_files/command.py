"""`calendar` (`kalender`): the member's current invites again, one file per circle or pair they meet in."""

from __future__ import annotations

from functools import partial

from bot.calendar_files.planner import next_sent, queue_invite
from bot.calendar_files.seats import PREFIX, history, member_seats, request
from bot.kernel.context import Ctx
from bot.kernel.messages import Message
from bot.kernel.replies import Reply, Response


async def calendar_command(ctx: Ctx, args: str) -> list[Response]:
    seats = [s for s in await member_seats(ctx.uow, ctx.member) if any(
        moment + s.series.duration > ctx.now for moment in s.sessions)]
    if not seats:
        return [Reply(Message(text=ctx.t("calendar.none")))]
    names = []
    for seat in seats:
        keys = await ctx.uow.outbox.planned_keys(program_id=seat.program.id or 0, prefixes=(seat.key_prefix(),))
        last = history(sorted(keys)).get((seat.tag, ctx.member_id))
        # The sequence the planner sent for this very schedule, or the one it sends next when it changed since.
        upcoming = next_sent(last, seat.print)
        sequence = upcoming.sequence if upcoming is not None else last.sequence if last is not None else 0
        key = f"{PREFIX}-again:{seat.program.id}:{seat.tag}:{ctx.member_id}:{ctx.now.isoformat()}"
        await queue_invite(ctx.uow, ctx.workspace, seat, key=key, now=ctx.now,
                           make=partial(request, seat, sequence=sequence))
        names.append(seat.name if seat.tag.startswith("c") else ctx.t("calendar.pair_summary", partner=seat.name))
    return [Reply(Message(text=ctx.t("calendar.sent", groups=", ".join(f"“{n}”" for n in names))))]
