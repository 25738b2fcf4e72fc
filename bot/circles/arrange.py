"""Admins arrange running circles: `circle add @person <circle>` and `circle merge <into> <from>` (a preview, then
Confirm). Everything a client sends back is checked again: admin, workspace, both circles active, one program, room.

A person already in another circle of the program is refused with the exact command that moves them
(`circle add @person <circle> move`): moving someone out of their circle is never a side effect of a typo."""

from __future__ import annotations

from datetime import timedelta

from bot.circles.commands import after_departure
from bot.circles.hours_notices import joiners_outside, tell_outside
from bot.circles.intake import fill_places
from bot.circles.intake_messages import announce_place, invite_to_space, tell_member
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.grammar import MENTION, mentioned_users
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Button, Buttons, Header, Message, Text
from bot.kernel.outbox import post
from bot.kernel.payload import Unavailable, admin_only, int_id
from bot.kernel.ports import Target
from bot.kernel.replies import Reply, Response, UpdateSource
from bot.kernel.spaces import queue_space_change
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    ElectionStatus,
    EnrollmentStatus,
    Member,
    Program,
    ProgramState,
)

MERGE = "circle.merge"
MOVE_WORDS = ("move", "pindah")
ARCHIVE_AFTER = timedelta(minutes=10)  # the farewell pointing to the new circle is read before the channel closes


async def running_circle(ctx: Ctx, number: str, *, typed: bool = True) -> tuple[Circle, Program]:
    """An active circle of a running program in this workspace, by the number admins see in notices. A typed
    number that names none is answered with it; one from a button (typed by an attacker) like any stale id."""
    digits = number.strip().lstrip("#")
    circle = (await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=int(digits))
              if digits.isascii() and digits.isdigit() and len(digits) <= 9 else None)
    program = (await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=circle.program_id)
               if circle is not None and circle.status == CircleStatus.ACTIVE else None)
    if circle is None or program is None:
        raise UserError("circles_intake.no_circle", circle=number.strip()) if typed else Unavailable()
    if program.state != ProgramState.RUNNING:
        raise UserError("circles_intake.not_running", program=program.name, state=ctx.t(f"state.{program.state}"))
    return circle, program


async def add(ctx: Ctx, args: str) -> list[Response]:
    users, words = mentioned_users(args), MENTION.sub(" ", args).split()
    move = any(w.lower() in MOVE_WORDS for w in words)
    numbers = [w for w in words if w.lower() not in MOVE_WORDS]
    if len(users) != 1 or len(numbers) != 1:
        raise UserError("circles_intake.add_usage")
    circle, program = await running_circle(ctx, numbers[0])
    member = await ctx.uow.members.by_external_id(workspace_id=ctx.workspace_id, external_id=users[0])
    enrollment = (await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                                member_id=member.id or 0) if member is not None else None)
    if member is None or enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        raise UserError("circles_intake.add_not_enrolled", user=f"<@{users[0]}>", program=program.name,
                        slug=program.slug)
    rows = await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=member.id or 0,
                                               program_id=program.id)
    row = rows[0] if rows else None
    old = await _current_circle(ctx, row)
    if old is not None and old.id == circle.id:
        raise UserError("circles_intake.add_already", name=member.name, circle=circle.name)
    if old is not None and not move:
        raise UserError("circles_intake.add_elsewhere", name=member.name, other=old.name,
                        command=f"circle add <@{member.external_id}> {circle.id} move")
    why: dict[str, object] = {"code": "added"}
    if not await ctx.uow.circles.take_place(
            workspace_id=ctx.workspace_id, program_id=program.id or 0, circle_id=circle.id or 0,
            member_id=member.id or 0, why=why, now=ctx.now, size_max=program.size_max, replacing=row):
        raise UserError("circles_intake.add_full", circle=circle.name, max=program.size_max, slug=program.slug)
    await announce_place(ctx, program, circle, member, why)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="circle.added",
                         actor_member_id=ctx.member_id, detail={"circle_id": circle.id, "member_id": member.id,
                                                                "from_circle_id": old.id if old else None})
    if old is not None:
        await after_departure(ctx, program, old, member_id=member.id or 0,
                              key=f"moved:{old.id}:{member.id}:{int(ctx.now.timestamp())}")
    size = len(await ctx.uow.circles.memberships(circle_id=circle.id or 0))
    key, extra = ("circles_intake.moved", {"other": old.name}) if old else ("circles_intake.added", {})
    return [Reply(Message(text=ctx.t(key, name=member.name, circle=circle.name, size=size, max=program.size_max,
                                     **extra)))]


async def _current_circle(ctx: Ctx, row: CircleMember | None) -> Circle | None:
    """The active circle the member has a place in, if any (not one they left or that closed)."""
    if row is None or row.status != CircleMemberStatus.ACTIVE:
        return None
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=row.circle_id)
    return circle if circle is not None and circle.status == CircleStatus.ACTIVE else None


async def _mergeable(ctx: Ctx, into_number: str, from_number: str, *,
                    typed: bool = True) -> tuple[Circle, Circle, Program, list[Member]]:
    """Both circles active, in one running program of this workspace, and room for everyone in the first."""
    into, program = await running_circle(ctx, into_number, typed=typed)
    away, other = await running_circle(ctx, from_number, typed=typed)
    if into.id == away.id:
        raise UserError("circles_intake.merge_same")
    if other.id != program.id:
        raise UserError("circles_intake.merge_programs", a=into.name, b=away.name)
    staying = await ctx.uow.circles.memberships(circle_id=into.id or 0)
    moving = await ctx.uow.circles.memberships(circle_id=away.id or 0)
    total = len(staying) + len(moving)
    if total > program.size_max:
        raise UserError("circles_intake.merge_too_big", a=into.name, b=away.name, total=total, max=program.size_max)
    people = await ctx.uow.members.many(workspace_id=ctx.workspace_id, member_ids=[m.member_id for m in moving])
    return into, away, program, people


async def merge(ctx: Ctx, args: str) -> list[Response]:
    numbers = args.split()
    if len(numbers) != 2:
        raise UserError("circles_intake.merge_usage")
    into, away, program, people = await _mergeable(ctx, numbers[0], numbers[1])
    total = len(await ctx.uow.circles.memberships(circle_id=into.id or 0)) + len(people)
    names = ", ".join(p.name for p in people) or "-"
    text = ctx.t("circles_intake.merge_preview", a=into.name, b=away.name, names=names, total=total,
                 max=program.size_max)
    button = Button(ctx.t("circles_intake.merge_confirm"), f"{MERGE}:{into.id}.{away.id}", style="primary")
    return [Reply(Message(text=text, blocks=(Header(ctx.t("circles_intake.merge_title", a=into.name, b=away.name)),
                                             Text(text), Buttons((button,)))))]


@admin_only
async def confirm_merge(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    first, dot, second = arg.partition(".")
    if not dot:
        raise Unavailable()
    into, away, program, people = await _mergeable(ctx, str(int_id(first)), str(int_id(second)), typed=False)
    rows = await ctx.uow.circles.memberships(circle_id=away.id or 0)
    for row in rows:  # all or nothing: a place taken meanwhile rolls the whole merge back
        if not await ctx.uow.circles.take_place(
                workspace_id=ctx.workspace_id, program_id=program.id or 0, circle_id=into.id or 0,
                member_id=row.member_id, why={"code": "merged"}, now=ctx.now, size_max=program.size_max,
                replacing=row):
            raise UserError("circles_intake.merge_too_big", a=into.name, b=away.name,
                            total=len(rows) + len(await ctx.uow.circles.memberships(circle_id=into.id or 0)),
                            max=program.size_max)
    await _close(ctx, away)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="circle.merged",
                         actor_member_id=ctx.member_id, detail={"into": into.id, "from": away.id})
    await _announce_merge(ctx, program, into, away, people)
    await fill_places(ctx, program)
    total = len(await ctx.uow.circles.memberships(circle_id=into.id or 0))
    return [UpdateSource(Message(text=ctx.t("circles_intake.merged", a=into.name, b=away.name, count=len(rows),
                                            total=total)))]


async def _close(ctx: Ctx, circle: Circle) -> None:
    """The merged circle closes: no more sessions, prompts or elections of its own."""
    circle.status = CircleStatus.CLOSED
    ctx.uow.circles.add(circle)
    for election in await ctx.uow.circles.elections(circle_id=circle.id or 0):
        if election.status != ElectionStatus.CLOSED:
            election.status = ElectionStatus.CLOSED
            ctx.uow.circles.add(election)


async def _announce_merge(ctx: Ctx, program: Program, into: Circle, away: Circle, people: list[Member]) -> None:
    t = Translator(resolve_locale(ctx.workspace.locale))  # a circle reads in the workspace's language
    names = ", ".join(p.name for p in people)
    key = f"merge:{away.id}:{into.id}"
    # The circle keeps its time; whoever it does not suit hears so, and the admins get a move for them.
    await tell_outside(ctx, program, await joiners_outside(ctx, program, into, people), key=key)
    if into.space and people:
        await post(ctx, target=Target.from_key(into.space), key=f"{key}:welcome", kind="announcement",
                   program_id=program.id, message=Message(text=t("circles_intake.merge_welcome", names=names,
                                                                 a=into.name, b=away.name)))
        await invite_to_space(ctx, program, into, people, key=key)
    if away.space:
        await post(ctx, target=Target.from_key(away.space), key=f"{key}:farewell", kind="announcement",
                   program_id=program.id, message=Message(text=t("circles_intake.merge_farewell", a=into.name,
                                                                 b=away.name)))
        await queue_space_change(ctx, space=away.space, key=f"space-archive:circle:{away.id}", action="archive",
                                 program_id=program.id, due_at=ctx.now + ARCHIVE_AFTER)
        return
    for person in people:  # no channel to read the farewell in: each hears it directly
        await tell_member(ctx, program, into, person, why={"code": "merged"}, key=f"{key}:{person.id}",
                          intro="circles_intake.merged_dm")
