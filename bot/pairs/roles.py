"""Mentor or mentee: asked on first contact of anyone in a pair program without a role (an admin enrolled them in a
mandatory program), with buttons; a mentor's capacity; and `program close`'s count of who has not answered."""

from __future__ import annotations

from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Header, Message, Text
from bot.kernel.outbox import dm
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.planning import PlanContext, for_states
from bot.kernel.program_lookup import program_by_id
from bot.kernel.replies import Reply, Response
from bot.pairs.late import mentor_available, place_late
from bot.pairs.pool import MENTEE, MENTOR, taken_seats
from storage.tables import Enrollment, EnrollmentStatus, Member, Program, ProgramFormat, ProgramState

ROLE_ACTION = "pair.role"
CAPACITY_ACTION = "pair.capacity"
MAX_CAPACITY = 5  # as the join questionnaire allows
ASKING = (ProgramState.ENROLLING, ProgramState.FORMING, ProgramState.RUNNING)


def role_message(t: Translator, program: Program) -> Message:
    """The question, with what each role means in this format (reverse: the junior mentors the senior)."""
    fmt = program.format
    intro = t(f"pairs_intake.role_ask.{fmt}", program=program.name)
    roles = "\n".join(f"• {t(f'profile.role.{role}.{fmt}')}" for role in (MENTOR, MENTEE))
    buttons = tuple(Button(t(f"pairs_intake.role_button.{role}.{fmt}")[:75], f"{ROLE_ACTION}:{program.id}.{role}",
                           style="primary" if role == MENTOR else None) for role in (MENTOR, MENTEE))
    return Message(text=f"{intro}\n{roles}", blocks=(Header(t("pairs_intake.role_title", program=program.name)),
                                                     Text(intro), Text(roles), Buttons(buttons)))


async def ask_role(scope: Scope, program: Program, member: Member) -> bool:
    """Ask once per member and program (the idempotency key); False when they were asked before."""
    return await dm(scope, member=member, key=f"pair-role:{program.id}:{member.id}", kind="pair",
                    program_id=program.id, build=lambda t: role_message(t, program))


@for_states(ProgramState.ENROLLING, ProgramState.FORMING, ProgramState.RUNNING)
async def ask_roles(pc: PlanContext) -> int:
    """A planner: everyone active in a pair program without a role is asked, once."""
    if pc.program.format == ProgramFormat.CIRCLES:
        return 0
    unset = [e.member_id for e in await pc.uow.enrollments.of_program(workspace_id=pc.workspace_id,
                                                                      program_id=pc.program.id or 0)
             if e.role is None]
    asked = 0
    for member in await pc.uow.members.many(workspace_id=pc.workspace_id, member_ids=unset) if unset else []:
        if not member.erased:
            asked += await ask_role(pc, pc.program, member)
    return asked


async def join_step(ctx: Ctx, program: Program, member: Member) -> str | None:
    """The on_join hook for pair programs (None for circles): a member whose enrollment just became active in a
    program that forms or runs. Without a role they are asked first; with one, they go into the matching."""
    if program.format == ProgramFormat.CIRCLES:
        return None
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=member.id or 0)
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        return None
    if enrollment.role not in (MENTOR, MENTEE):
        await ask_role(ctx, program, member)
        return ctx.t("pairs_intake.join.ask_role", program=program.name)
    return await place_late(ctx, program, member, enrollment.role)


async def _my_enrollment(ctx: Ctx, program_part: str) -> tuple[Program, Enrollment]:
    """The actor's active enrollment in a pair program of this workspace that still takes a role or capacity."""
    program = await program_by_id(ctx, program_part)
    if program.format == ProgramFormat.CIRCLES:
        raise Unavailable()
    if program.state not in ASKING:
        raise UserError("pairs_intake.role_closed", program=program.name)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        raise UserError("pairs_intake.not_enrolled", program=program.name)
    return program, enrollment


async def _matched(ctx: Ctx, program: Program) -> bool:
    """Already in the matching: a pair (past or present) or a request, either side."""
    pairs = await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id, active_only=False)
    requests = await ctx.uow.pairs.requests_of_mentee(program_id=program.id or 0, mentee_member_id=ctx.member_id)
    return any(p.program_id == program.id for p in pairs) or bool(requests)


def _capacity_buttons(t: Translator, program: Program, current: int) -> Message:
    text = t("pairs_intake.capacity_ask", capacity=current)
    buttons = tuple(Button(str(n), f"{CAPACITY_ACTION}:{program.id}.{n}", style="primary" if n == current else None)
                    for n in range(1, MAX_CAPACITY + 1))
    return Message(text=text, blocks=(Text(text), Buttons(buttons)))


async def choose_role(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """`pair.role:<program>.<mentor|mentee>`: set the role; it can change only before the member is matched."""
    program_part, _, role = arg.partition(".")
    if role not in (MENTOR, MENTEE):
        raise Unavailable()
    program, enrollment = await _my_enrollment(ctx, program_part)
    previous = enrollment.role
    if previous is not None and previous != role and (program.state == ProgramState.RUNNING
                                                      or await _matched(ctx, program)):
        raise UserError("pairs_intake.role_locked", program=program.name, role=ctx.t(f"pairs.role.{previous}"))
    enrollment.role = role
    enrollment.capacity = max(1, enrollment.capacity) if role == MENTOR else 1
    ctx.uow.enrollments.add(enrollment)
    await ctx.uow.flush()
    lines = [ctx.t(f"pairs_intake.role_set.{role}", program=program.name)]
    if previous is None and program.state in (ProgramState.FORMING, ProgramState.RUNNING):
        lines.append(await place_late(ctx, program, ctx.member, role))  # answered late: into the matching now
    replies: list[Response] = [Reply(Message(text="\n".join(x for x in lines if x)))]
    if role == MENTOR:
        replies.append(Reply(_capacity_buttons(ctx.t, program, enrollment.capacity)))
    return replies


async def choose_capacity(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """`pair.capacity:<program>.<n>`: how many mentees a mentor takes at once, never below those they have."""
    program_part, _, number = arg.partition(".")
    capacity = int_id(number)
    if capacity > MAX_CAPACITY:
        raise Unavailable()
    program, enrollment = await _my_enrollment(ctx, program_part)
    if enrollment.role != MENTOR:
        raise UserError("pairs_intake.only_mentors", program=program.name)
    taken = (await taken_seats(ctx, program)).get(ctx.member_id, 0)
    if capacity < taken:
        raise UserError("pairs_intake.capacity_below", taken=taken)
    grew = capacity > enrollment.capacity
    enrollment.capacity = capacity
    ctx.uow.enrollments.add(enrollment)
    await ctx.uow.flush()
    lines = [ctx.t("pairs_intake.capacity_set", capacity=capacity, program=program.name)]
    if grew and program.state == ProgramState.RUNNING:  # room for mentees who wait
        lines.append(await mentor_available(ctx, program, ctx.member))
    return [Reply(Message(text="\n".join(lines)))]


async def close_step(ctx: Ctx, program: Program) -> str | None:
    """`program close`'s part for pair programs: how many have not chosen mentor or mentee (they were asked)."""
    if program.format == ProgramFormat.CIRCLES:
        return None
    unset = [e for e in await ctx.uow.enrollments.of_program(workspace_id=ctx.workspace_id,
                                                             program_id=program.id or 0) if e.role is None]
    return ctx.t.n("pairs_intake.no_role_at_close", len(unset), count=len(unset)) if unset else None
