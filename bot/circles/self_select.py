"""Self-select mode: members pick a circle themselves, first come first served, with a waitlist."""

from __future__ import annotations

from functools import partial

from bot.circles.hours_notices import outside_cases, own_time_summary, tell_outside
from bot.circles.launch import launch_circle
from bot.circles.own_time import give_own_time
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Header, Message, Text
from bot.kernel.outbox import dm, post
from bot.kernel.payload import Unavailable, announcement_channel, int_id
from bot.kernel.ports import SpaceRef
from bot.kernel.replies import Reply, Response
from storage.tables import Circle, CircleMemberStatus, Member, Program, ProgramState, Theme, ThemeMode


async def open_for_picking(ctx: Ctx, program: Program) -> str | None:
    """`program close`'s part in self-select mode, after the themes were selected: a circle per theme to pick."""
    if program.theme_mode == ThemeMode.SELF_SELECT:
        assert program.id is not None
        enrolled = {e.member_id for e in await ctx.uow.enrollments.of_program(workspace_id=ctx.workspace_id,
                                                                            program_id=program.id)}
        counts = await ctx.uow.themes.counts(program_id=program.id, member_ids=enrolled)
        themes = await ctx.uow.themes.selected(workspace_id=ctx.workspace_id, program_id=program.id)
        ranked = sorted(themes, key=lambda t: (-counts.get(t.id or 0, 0), t.id))
        await open_circles_for_picking(ctx, program, [(t, counts.get(t.id or 0, 0)) for t in ranked])
    return None


async def open_circles_for_picking(ctx: Ctx, program: Program, selected: list[tuple[Theme, int]]) -> None:
    for theme, votes in selected:
        count = max(1, round(max(votes, 1) / program.size_target))
        for n in range(count):
            ctx.uow.circles.add(Circle(workspace_id=ctx.workspace_id, program_id=program.id or 0, theme_id=theme.id,
                                       name=f"{theme.title} {n + 1}", capacity=program.size_max, created_at=ctx.now))
    await ctx.uow.flush()
    channel = announcement_channel(ctx.workspace, program)
    if channel is not None:
        await post(ctx, target=channel, key=f"pick:{program.id}", kind="announcement", program_id=program.id,
                   message=await picker(ctx, program))


async def picker(ctx: Ctx, program: Program) -> Message:
    circles = await ctx.uow.circles.of_program(workspace_id=ctx.workspace_id, program_id=program.id or 0)
    buttons, lines = [], []
    for circle in circles:
        taken = len(await ctx.uow.circles.memberships(circle_id=circle.id or 0))
        label = ctx.t("self_select.option", circle=circle.name, taken=taken, capacity=circle.capacity)
        lines.append(label)
        buttons.append(Button(label[:75], f"circle.pick:{circle.id}"))
    text = ctx.t("self_select.intro", program=program.name)
    return Message(text="\n".join([text, *lines]),
                   blocks=(Header(program.name), Text(text), Buttons(tuple(buttons[:25]))))


async def pick_command(ctx: Ctx, args: str) -> list[Response]:
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if program is not None and program.state == ProgramState.FORMING:
            return [Reply(await picker(ctx, program))]
    raise UserError("self_select.nothing")


async def pick(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=int_id(arg))
    if circle is None:
        raise Unavailable()
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=circle.program_id)
    if program is None or program.state != ProgramState.FORMING:
        raise UserError("self_select.closed")
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status != "active":
        raise UserError("themes.not_enrolled")
    taken = len(await ctx.uow.circles.memberships(circle_id=circle.id or 0))
    status = CircleMemberStatus.ACTIVE if taken < circle.capacity else CircleMemberStatus.WAITLISTED
    created = await ctx.uow.circles.join(
        workspace_id=ctx.workspace_id, program_id=program.id or 0, circle_id=circle.id or 0,
        member_id=ctx.member_id, status=status, why={"code": "self_selected"}, now=ctx.now)
    if not created:
        raise UserError("self_select.already")
    key = "self_select.joined" if status == CircleMemberStatus.ACTIVE else "self_select.waitlisted"
    return [Reply(Message(text=ctx.t(key, circle=circle.name)))]


async def finish_self_select(ctx: Ctx, program: Program) -> str:
    """Launch circles that reached the minimum, each at its own time inside its members' working hours; tell
    everyone else why and offer the next round."""
    launched, left_out = 0, 0
    outside: list[tuple[Circle, tuple[Member, ...]]] = []
    for circle in await ctx.uow.circles.of_program(workspace_id=ctx.workspace_id, program_id=program.id or 0):
        active = await ctx.uow.circles.memberships(circle_id=circle.id or 0)
        waitlisted = await ctx.uow.circles.memberships(circle_id=circle.id or 0,
                                                       statuses=(CircleMemberStatus.WAITLISTED,))
        if len(active) >= program.size_min:
            picked = await ctx.uow.members.many(workspace_id=ctx.workspace_id, member_ids=[a.member_id for a in active])
            outside.append((circle, give_own_time(program, circle, picked)))
            ctx.uow.circles.add(circle)
            await launch_circle(ctx, program, circle)
            launched += 1
            waiting = waitlisted
        else:
            waiting = [*active, *waitlisted]
            circle.status = "closed"
            ctx.uow.circles.add(circle)
        members = [m for m in [await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=w.member_id)
                               for w in waiting] if m is not None]
        left_out += len(members)
        if members:  # a step after this circle's launch step, so the deliveries keep their order
            ctx.after_commit(partial(_tell_waiting, program=program, members=members))
    cases = await outside_cases(ctx, program, outside)
    await tell_outside(ctx, program, cases, key=f"form:{program.id}")
    summary = ctx.t.n("self_select.summary", launched, program=program.name, circles=launched, waiting=left_out)
    return own_time_summary(ctx.t, summary, [circle for circle, _ in outside], outside=len(cases))


async def _tell_waiting(ctx: Ctx, space: SpaceRef | None, *, program: Program, members: list[Member]) -> None:
    for member in members:
        await dm(ctx, member=member, key=f"unplaced:{program.id}:{member.id}", kind="dm",
                 program_id=program.id, build=lambda t: _next_round(t, program))


def _next_round(t: Translator, program: Program) -> Message:
    return Message(text=t("formation.unplaced", program=program.name, reason=t("formation.unplaced.no_room")))
