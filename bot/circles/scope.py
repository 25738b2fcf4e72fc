"""Which circle a command or a planner works on, and who may steer it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.circles.board import waiting_places
from bot.kernel.calendar import group_timetable
from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import NotAllowed, UserError
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from bot.sessions.due_windows import Timing, Window, windows
from bot.sessions.series import Item, SeriesPass, plan_series, series_pass
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    Enrollment,
    Member,
    Program,
    ProgramFormat,
    ProgramState,
)

PREFIXES = ("prompt:", "reminder:", "checkin:", "missed:")


@dataclass
class CircleRun:
    """One circle with its active members, as planners and commands need it."""

    circle: Circle
    program: Program
    memberships: list[CircleMember]
    members: list[Member]  # in membership order
    enrollments: dict[int, Enrollment] = field(default_factory=dict)  # by member id

    @property
    def target(self) -> Target:
        return Target.from_key(self.circle.space)

    @property
    def space(self) -> Target | None:
        return self.target  # planners only see circles with a channel

    def member_ids(self) -> set[int]:
        return {m.id or 0 for m in self.members}


async def load_circle(scope: Scope, circle: Circle, program: Program) -> CircleRun:
    memberships = await scope.uow.circles.memberships(circle_id=circle.id or 0)
    by_id = {m.id: m for m in await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                          member_ids=[cm.member_id for cm in memberships])}
    enrollments = {e.member_id: e for e in await scope.uow.enrollments.of_program(
        workspace_id=scope.workspace_id, program_id=program.id or 0)}
    return _circle_run(circle, program, memberships, by_id, enrollments)


async def load_circles(scope: Scope, circles: list[Circle], program: Program) -> dict[int, CircleRun | None]:
    """`load_circle` for many circles of one program in three queries, whatever their number (the planners')."""
    wanted = {c.id for c in circles}
    memberships: dict[int, list[CircleMember]] = {}
    for cm in await scope.uow.circles.of_program_members(workspace_id=scope.workspace_id, program_id=program.id or 0):
        if cm.status == CircleMemberStatus.ACTIVE and cm.circle_id in wanted:
            memberships.setdefault(cm.circle_id, []).append(cm)  # in id order, as `memberships` reads them
    by_id = {m.id: m for m in await scope.uow.circles.active_members_of_program(
        workspace_id=scope.workspace_id, program_id=program.id or 0)}
    enrollments = {e.member_id: e for e in await scope.uow.enrollments.of_program(
        workspace_id=scope.workspace_id, program_id=program.id or 0)}
    return {c.id or 0: _circle_run(c, program, memberships.get(c.id or 0, []), by_id, enrollments) for c in circles}


def _circle_run(circle: Circle, program: Program, memberships: list[CircleMember], by_id: dict[int | None, Member],
                enrollments: dict[int, Enrollment]) -> CircleRun:
    members = [by_id[cm.member_id] for cm in memberships if cm.member_id in by_id and not by_id[cm.member_id].erased]
    return CircleRun(circle=circle, program=program, memberships=memberships, members=members,
                     enrollments=enrollments)


async def active_circles(scope: Scope, program: Program) -> list[Circle]:
    """The program's active circles that have a channel to post in (circle programs only)."""
    if program.format != ProgramFormat.CIRCLES:
        return []
    circles = await scope.uow.circles.of_program(workspace_id=scope.workspace_id, program_id=program.id or 0)
    return [c for c in circles if c.status == CircleStatus.ACTIVE and c.space]


async def circle_pass(pc: PlanContext) -> SeriesPass[Circle, CircleRun]:
    """The running-circle planners' shared pass: active circles, loaded once each."""
    async def load(circle: Circle) -> CircleRun:
        return await load_circle(pc, circle, pc.program)

    async def load_many(circles: list[Circle]) -> dict[int, CircleRun | None]:
        return await load_circles(pc, circles, pc.program)

    return await series_pass(pc, family="circles", prefixes=PREFIXES, units=lambda scope: active_circles(
        scope, scope.program), load=load, load_many=load_many)


async def plan_circles(pc: PlanContext, *, prefix: str, due: Timing, stale: Timing,
                       each: Item[Circle, CircleRun]) -> int:
    """`each` for every due session of every active circle, on the circle's own timetable; a circle takes part in
    the sessions that go stale after it was formed."""
    found: dict[int, list[Window]] = {}

    def windows_of(circle: Circle) -> list[Window]:
        if circle.id not in found:
            found[circle.id or 0] = windows(group_timetable(pc.program, circle), due, stale)
        return found[circle.id or 0]

    return await plan_series(pc, prefix=prefix, windows_of=windows_of, open_pass=circle_pass,
                             includes=lambda c, i: windows_of(c)[i][1] > c.created_at, each=each)


async def my_circle(ctx: Ctx) -> CircleRun:
    """The circle of the channel the command was typed in, else the member's own."""
    circle, program = await circle_of_actor(ctx)
    return await load_circle(ctx, circle, program)


async def require_moderator(ctx: Ctx, run: CircleRun) -> None:
    if run.circle.moderator_member_id == ctx.member_id or await ctx.is_admin():
        return
    raise NotAllowed("running.only_moderator", circle=run.circle.name)


async def circle_of_actor(ctx: Ctx) -> tuple[Circle, Program]:
    """The circle a command is about: the channel it was typed in, else the member's (latest) circle."""
    space = ctx.where.key() if ctx.where is not None and ctx.where.kind != "user" else None
    found = await ctx.uow.circles.circle_of_actor(workspace_id=ctx.workspace_id, member_id=ctx.member_id, space=space)
    if found is None:
        await not_placed(ctx)
    assert found is not None
    return found


async def not_placed(ctx: Ctx) -> None:
    """Refuse a circle command from someone without a circle: waiting for a place in a running program says where
    they stand in line; otherwise circles form when enrollment closes."""
    waiting = await waiting_places(ctx, ctx.member_id)
    if waiting:
        program, position = waiting[0]
        raise UserError("circles_intake.not_placed_yet", program=program.name, position=position)
    await _left_already(ctx)
    raise UserError("circles.not_in_circle")


async def _left_already(ctx: Ctx) -> None:
    """Someone who left their circle (pressing Leave again, or asking about it) hears that, not that circles form
    when enrollment closes."""
    left = [m for m in await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
            if m.status == CircleMemberStatus.LEFT]
    for membership in reversed(left):
        circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=membership.circle_id)
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=membership.program_id)
        if circle is not None and program is not None and program.state != ProgramState.CLOSED:
            raise UserError("circles_left.already", circle=circle.name)
