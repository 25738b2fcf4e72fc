"""Which circle a command or a planner works on, who may steer it, and what language its channel reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import NotAllowed, UserError
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.ports import Target
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    Enrollment,
    Member,
    Program,
    ProgramFormat,
    Workspace,
)


def name_of(member: Member) -> str:
    return member.display_name or member.external_id


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

    def member_ids(self) -> set[int]:
        return {m.id or 0 for m in self.members}


async def load_circle(scope: Scope, circle: Circle, program: Program) -> CircleRun:
    memberships = await scope.uow.circles.memberships(circle_id=circle.id or 0)
    by_id = {m.id: m for m in await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                          member_ids=[cm.member_id for cm in memberships])}
    members = [by_id[cm.member_id] for cm in memberships if cm.member_id in by_id and not by_id[cm.member_id].erased]
    enrollments = {e.member_id: e for e in await scope.uow.enrollments.of_program(
        workspace_id=scope.workspace_id, program_id=program.id or 0)}
    return CircleRun(circle=circle, program=program, memberships=memberships, members=members,
                     enrollments=enrollments)


async def active_circles(scope: Scope, program: Program) -> list[Circle]:
    """The program's active circles that have a channel to post in (circle programs only)."""
    if program.format != ProgramFormat.CIRCLES:
        return []
    circles = await scope.uow.circles.of_program(workspace_id=scope.workspace_id, program_id=program.id or 0)
    return [c for c in circles if c.status == CircleStatus.ACTIVE and c.space]


def channel_translator(workspace: Workspace, members: list[Member]) -> Translator:
    """The language most of the circle reads; the workspace's on a tie or when nobody said."""
    default = resolve_locale(workspace.locale)
    counts = Counter(resolve_locale(m.locale, default) for m in members)
    if not counts:
        return Translator(default)
    best = max(counts.values())
    leaders = [locale for locale, n in counts.items() if n == best]
    return Translator(default if default in leaders else sorted(leaders)[0])


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
    if ctx.where is not None and ctx.where.kind != "user":
        circle = await ctx.uow.circles.by_space(workspace_id=ctx.workspace_id, space=ctx.where.key())
        if circle is not None:
            program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=circle.program_id)
            assert program is not None
            return circle, program
    for membership in reversed(await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id,
                                                                    member_id=ctx.member_id)):
        if membership.status != CircleMemberStatus.ACTIVE:
            continue
        circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=membership.circle_id)
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=membership.program_id)
        if circle is not None and program is not None and program.state != "closed":
            return circle, program
    raise UserError("circles.not_in_circle")
