"""The running-circle lines of a member's home view: a pause, a check-in waiting for them, their goals."""

from __future__ import annotations

from bot.circles.checkins import open_session
from bot.circles.goals import goal_summary
from bot.circles.scope import my_circle
from bot.kernel.calendar import next_session
from bot.kernel.context import Ctx, HomePart, HomeSection
from bot.kernel.i18n import format_moment
from bot.kernel.errors import UserError
from bot.sessions.timing import format_day, local_day
from storage.tables import CircleMemberStatus, EnrollmentStatus, ProgramState


async def home_fields(ctx: Ctx) -> list[tuple[str, str]]:
    """(label, value) pairs for bot/kernel/home.py to show; empty when there is nothing to say."""
    fields: list[tuple[str, str]] = []
    today = local_day(ctx.member, ctx.now, fallback=ctx.workspace.timezone)
    enrollments = await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
    until = max((e.paused_until for e in enrollments if e.status == EnrollmentStatus.ACTIVE
                 and e.paused_until is not None and e.paused_until >= today), default=None)
    if until is not None:
        fields.append((ctx.t("running.home.paused"), ctx.t("running.home.paused_until",
                                                          day=format_day(until, locale=ctx.t.locale))))
    try:
        run = await my_circle(ctx)
    except UserError:
        run = None
    if run is not None and run.program.state == ProgramState.RUNNING:
        index = open_session(run, ctx)
        if index is not None and await ctx.uow.running.checkin(
                circle_id=run.circle.id or 0, member_id=ctx.member_id, session_index=index) is None:
            fields.append((ctx.t("running.home.checkin"), ctx.t("running.home.checkin_waiting", session=index + 1)))
    for goal in await ctx.uow.running.goals_of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=goal.program_id)
        if program is not None and program.state != ProgramState.CLOSED:
            fields.append((ctx.t("running.home.goal", program=program.name), goal_summary(ctx.t, goal)))
    return fields


async def _circle_part(ctx: Ctx) -> HomePart:
    """Each active circle of a running program, with its next session."""
    fields: list[tuple[str, str]] = []
    for membership in await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        if membership.status != CircleMemberStatus.ACTIVE:
            continue
        circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=membership.circle_id)
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=membership.program_id)
        if circle is None or program is None or program.state != "running":
            continue
        upcoming = next_session(program, ctx.now)
        when = format_moment(upcoming[1], timezone=ctx.member.timezone, locale=ctx.t.locale) if upcoming else "-"
        fields.append((ctx.t("home.circle"), circle.name))
        fields.append((ctx.t("circles.next_session"), when))
    return HomePart(fields=tuple(fields))


async def _running_part(ctx: Ctx) -> HomePart:
    return HomePart(fields=tuple(await home_fields(ctx)))


CIRCLE_SECTION = HomeSection(order=10, build=_circle_part)
RUNNING_SECTION = HomeSection(order=30, build=_running_part)  # paused, a check-in waiting, goals
