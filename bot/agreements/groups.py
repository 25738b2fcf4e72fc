"""The circle or pair an agreement belongs to, read straight from storage (capabilities never import each other)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import UserError
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.ports import Target
from storage.tables import (
    Circle,
    CircleMemberStatus,
    CircleStatus,
    Member,
    Pair,
    PairStatus,
    Program,
    ProgramState,
)

Kind = Literal["circle", "pair"]


@dataclass
class Group:
    """One circle or pair, its program and the members who confirm its agreement (who left is not asked)."""

    kind: Kind
    unit: Circle | Pair
    program: Program
    members: list[Member]
    moderator_id: int | None = None  # a circle's moderator

    @property
    def id(self) -> int:
        return self.unit.id or 0

    @property
    def key(self) -> str:
        """Agreement.group: "circle:<id>" / "pair:<id>"."""
        return f"{self.kind}:{self.id}"

    @property
    def ref(self) -> str:
        """How the group travels in a button or a form's state: "circle.<id>" / "pair.<id>"."""
        return f"{self.kind}.{self.id}"

    @property
    def space(self) -> Target | None:
        return Target.from_key(self.unit.space) if self.unit.space else None

    @property
    def member_ids(self) -> set[int]:
        return {m.id or 0 for m in self.members}

    @property
    def name(self) -> str:
        """A circle's name; a pair is named by its two sides."""
        if isinstance(self.unit, Circle):
            return self.unit.name
        return " & ".join(m.name for m in self.members) or "-"

    def others(self, member_id: int) -> list[Member]:
        return [m for m in self.members if m.id != member_id]


def parse_ref(text: str) -> tuple[Kind, int]:
    """"pair.<id>" or "circle.<id>" from a button or a form's state; anything else is Unavailable."""
    kind, dot, rest = text.partition(".")
    if not dot or kind not in ("circle", "pair"):
        raise Unavailable()
    return ("circle" if kind == "circle" else "pair"), int_id(rest)


async def load_group(scope: Scope, kind: Kind, group_id: int) -> Group | None:
    """The group in this workspace, with its active members; None when it is not (or no longer) there."""
    uow, wid = scope.uow, scope.workspace_id
    if kind == "pair":
        pair = await uow.agreements.pair(workspace_id=wid, pair_id=group_id)
        if pair is None or pair.status != PairStatus.ACTIVE:
            return None
        program = await uow.programs.get(workspace_id=wid, program_id=pair.program_id)
        found = await uow.members.many(workspace_id=wid, member_ids=[pair.mentor_member_id, pair.mentee_member_id])
        members = [m for m in found if not m.erased]
        return Group("pair", pair, program, members) if program is not None else None
    circle = await uow.circles.get(workspace_id=wid, circle_id=group_id)
    if circle is None or circle.status != CircleStatus.ACTIVE:
        return None
    program = await uow.programs.get(workspace_id=wid, program_id=circle.program_id)
    rows = await uow.circles.memberships(circle_id=group_id, statuses=(CircleMemberStatus.ACTIVE,))
    members = [m for m in await uow.members.many(workspace_id=wid, member_ids=[r.member_id for r in rows])
               if not m.erased]
    if program is None:
        return None
    return Group("circle", circle, program, members, moderator_id=circle.moderator_member_id)


async def own_group(ctx: Ctx, ref: str) -> Group:
    """The group a button or form names, re-checked: the actor is one of its active members and its program runs.
    A foreign, vanished or junk id is the same calm `errors.stale_action`."""
    kind, group_id = parse_ref(ref)
    group = await load_group(ctx, kind, group_id)
    if group is None or ctx.member_id not in group.member_ids:
        raise Unavailable()
    if group.program.state != ProgramState.RUNNING:
        raise UserError("agreements.not_running", program=group.program.name)
    return group


async def groups_of_actor(ctx: Ctx) -> list[Group]:
    """The group of the space the command was typed in, else the actor's active circles and pairs in running
    programs."""
    if ctx.where is not None and ctx.where.kind != "user":
        here = await _group_here(ctx, ctx.where.key())
        if here is not None:
            return [here]
    found: list[Group] = []
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        group = await load_group(ctx, "pair", pair.id or 0)
        if group is not None and group.program.state == ProgramState.RUNNING:
            found.append(group)
    for membership in await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        if membership.status != CircleMemberStatus.ACTIVE:
            continue
        group = await load_group(ctx, "circle", membership.circle_id)
        if group is not None and group.program.state == ProgramState.RUNNING:
            found.append(group)
    return [g for g in found if ctx.member_id in g.member_ids]


async def _group_here(ctx: Ctx, space: str) -> Group | None:
    circle = await ctx.uow.circles.by_space(workspace_id=ctx.workspace_id, space=space)
    pair = None if circle else await ctx.uow.agreements.pair_by_space(workspace_id=ctx.workspace_id, space=space)
    unit: Circle | Pair | None = circle or pair
    if unit is None:
        return None
    group = await load_group(ctx, "circle" if circle else "pair", unit.id or 0)
    if group is None or ctx.member_id not in group.member_ids or group.program.state != ProgramState.RUNNING:
        return None
    return group
