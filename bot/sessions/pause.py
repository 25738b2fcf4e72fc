"""Pause and resume: no prompts or DMs for the member meanwhile; their circle or partner is told nothing."""

from __future__ import annotations

from datetime import date, timedelta

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.messages import Message
from bot.kernel.replies import Reply, Response
from bot.sessions.timing import format_day, local_day, parse_day
from storage.tables import Enrollment, EnrollmentStatus, PausePeriod, ProgramState

FILLER = {"until", "till", "to", "sampai", "hingga", "s/d"}
MAX_DAYS = 366


async def _active_enrollments(ctx: Ctx) -> list[Enrollment]:
    found = []
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if enrollment.status == EnrollmentStatus.ACTIVE and program and program.state != ProgramState.CLOSED:
            found.append(enrollment)
    return found


def _set_paused(ctx: Ctx, enrollments: list[Enrollment], until: date | None) -> None:
    for enrollment in enrollments:
        enrollment.paused_until = until
        ctx.uow.enrollments.add(enrollment)


async def pause(ctx: Ctx, args: str) -> list[Response]:
    words = [w for w in args.split() if w.lower() not in FILLER]
    if len(words) != 1:
        raise UserError("running.pause.usage")
    day = parse_day(words[0])
    if day is None:
        raise UserError("running.pause.bad_date", text=words[0][:30])
    today = local_day(ctx.member, ctx.now, fallback=ctx.workspace.timezone)
    if day < today:
        raise UserError("running.pause.past", day=format_day(day, locale=ctx.t.locale))
    if day > today + timedelta(days=MAX_DAYS):
        raise UserError("running.pause.too_far", days=MAX_DAYS)
    enrollments = await _active_enrollments(ctx)
    if not enrollments:
        raise UserError("running.pause.not_enrolled")
    _set_paused(ctx, enrollments, day)
    period = await ctx.uow.running.open_pause(workspace_id=ctx.workspace_id, member_id=ctx.member_id, today=today)
    if period is None:
        period = PausePeriod(workspace_id=ctx.workspace_id, member_id=ctx.member_id, starts_on=today, until=day,
                             created_at=ctx.now)
    period.until = day
    ctx.uow.running.save(period)
    return [Reply(Message(text=ctx.t("running.pause.done", day=format_day(day, locale=ctx.t.locale),
                                     back=format_day(day + timedelta(days=1), locale=ctx.t.locale))))]


async def resume(ctx: Ctx, args: str) -> list[Response]:
    today = local_day(ctx.member, ctx.now, fallback=ctx.workspace.timezone)
    paused = [e for e in await _active_enrollments(ctx) if e.paused_until is not None and e.paused_until >= today]
    if not paused:
        raise UserError("running.pause.not_paused")
    _set_paused(ctx, paused, None)
    period = await ctx.uow.running.open_pause(workspace_id=ctx.workspace_id, member_id=ctx.member_id, today=today)
    if period is not None:
        period.ended_on = today
        ctx.uow.running.save(period)
    return [Reply(Message(text=ctx.t("running.pause.resumed")))]
