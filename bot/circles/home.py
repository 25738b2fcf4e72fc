"""The running-circle lines of a member's home view: a pause, a check-in waiting for them, their goals."""

from __future__ import annotations

from bot.circles.board import waiting_places
from bot.circles.checkins import open_session
from bot.circles.scope import my_circle
from bot.kernel.calendar import group_timetable, next_session
from bot.kernel.context import Ctx, HomePart, HomeSection
from bot.kernel.errors import UserError
from bot.kernel.i18n import format_moment
from bot.sessions.home import goal_fields, paused_fields
from storage.tables import CircleMemberStatus, ProgramState


async def home_fields(ctx: Ctx) -> list[tuple[str, str]]:
    """(label, value) pairs for bot/kernel/home.py to show; empty when there is nothing to say."""
    return await paused_fields(ctx) + await checkin_fields(ctx) + await goal_fields(ctx)


async def checkin_fields(ctx: Ctx) -> list[tuple[str, str]]:
    """A check-in of the member's circle that waits for their answer."""
    try:
        run = await my_circle(ctx)
    except UserError:
        return []
    if run.program.state != ProgramState.RUNNING:
        return []
    index = open_session(run, ctx)
    if index is None or await ctx.uow.running.checkin(circle_id=run.circle.id or 0, member_id=ctx.member_id,
                                                      session_index=index) is not None:
        return []
    return [(ctx.t("running.home.checkin"), ctx.t("running.home.checkin_waiting", session=index + 1))]


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
        upcoming = next_session(group_timetable(program, circle), ctx.now)
        when = format_moment(upcoming[1], timezone=ctx.member.timezone, locale=ctx.t.locale) if upcoming else "-"
        fields.append((ctx.t("home.circle"), circle.name))
        fields.append((ctx.t("circles.next_session"), when))
    return HomePart(fields=tuple(fields + await _waiting(ctx)))


async def _waiting(ctx: Ctx) -> list[tuple[str, str]]:
    """A running circle program the member waits in for a place: where they stand in line."""
    return [(ctx.t("home.circle"), f"{program.name}: " + ctx.t("circles_intake.home_waiting", position=position))
            for program, position in await waiting_places(ctx, ctx.member_id)]


async def _running_part(ctx: Ctx) -> HomePart:
    return HomePart(fields=tuple(await home_fields(ctx)))


CIRCLE_SECTION = HomeSection(order=10, build=_circle_part)
RUNNING_SECTION = HomeSection(order=30, build=_running_part)  # paused, a check-in waiting, goals
