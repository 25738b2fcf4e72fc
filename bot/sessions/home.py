"""The home view's lines every member in a series may have, circle or pair: a pause, their goals."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.sessions.checkins import goal_summary
from bot.sessions.timing import format_day, local_day
from storage.tables import EnrollmentStatus, ProgramState


async def paused_fields(ctx: Ctx) -> list[tuple[str, str]]:
    """(label, value) of the member's pause, when one is on today or later."""
    today = local_day(ctx.member, ctx.now, fallback=ctx.workspace.timezone)
    enrollments = await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
    until = max((e.paused_until for e in enrollments if e.status == EnrollmentStatus.ACTIVE
                 and e.paused_until is not None and e.paused_until >= today), default=None)
    if until is None:
        return []
    return [(ctx.t("running.home.paused"), ctx.t("running.home.paused_until",
                                                   day=format_day(until, locale=ctx.t.locale)))]


async def goal_fields(ctx: Ctx) -> list[tuple[str, str]]:
    """(label, value) of each goal the member set in a program that is not closed."""
    fields: list[tuple[str, str]] = []
    for goal in await ctx.uow.running.goals_of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=goal.program_id)
        if program is not None and program.state != ProgramState.CLOSED:
            fields.append((ctx.t("running.home.goal", program=program.name), goal_summary(ctx.t, goal)))
    return fields
