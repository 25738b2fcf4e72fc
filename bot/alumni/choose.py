"""The `next:<program>:<choice>` buttons of a member's end-of-program summary, checked as if an attacker typed them."""

from __future__ import annotations

from bot.alumni.circle import join_alumni, space_name
from bot.alumni.touch import companions, stay_in_touch
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.messages import Header, Message, Text
from bot.kernel.payload import Unavailable
from bot.kernel.program_lookup import program_by_id
from bot.kernel.replies import Reply, Response
from storage.tables import EnrollmentStatus, NextStep, Program, ProgramFormat, ProgramState

ENDED = (ProgramState.CLOSING, ProgramState.CLOSED)
NEVER_IN = (EnrollmentStatus.INVITED, EnrollmentStatus.DECLINED)  # invited only: never a member of the program


def parse(arg: str) -> tuple[str, NextStep]:
    head, colon, tail = arg.partition(":")
    if not colon or tail not in tuple(NextStep):
        raise Unavailable()
    return head, NextStep(tail)


async def _allowed(ctx: Ctx, program: Program, step: NextStep) -> set[int]:
    """Refuse, with the reason, a choice this member cannot make here; for staying in touch, whom it concerns."""
    if program.state not in ENDED:
        raise UserError("alumni.not_ended", program=program.name)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status in NEVER_IN:
        raise UserError("alumni.not_enrolled", program=program.name)
    if step == NextStep.NEW_MATCH and program.format == ProgramFormat.CIRCLES:
        raise UserError("alumni.no_new_match", program=program.name)
    if step != NextStep.STAY_IN_TOUCH:
        return set()
    group = await companions(ctx, program, ctx.member_id)
    if group is None:
        raise UserError("alumni.no_group", program=program.name)
    return group


async def choose_next(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    head, step = parse(arg)
    program = await program_by_id(ctx, head)
    group = await _allowed(ctx, program, step)
    choice_id = await ctx.uow.closing.choose(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                             member_id=ctx.member_id, choice=step, now=ctx.now)
    if choice_id is None:  # pressed before (or twice at once): one row, and a kind word
        text = ctx.t("alumni.already", program=program.name)
        if step == NextStep.ALUMNI:
            text += "\n" + ctx.t("alumni.where", space=space_name(program))
    elif step == NextStep.ALUMNI:
        text = await join_alumni(ctx, program, choice_id)
    elif step == NextStep.STAY_IN_TOUCH:
        text = await stay_in_touch(ctx, program, group)
    elif step == NextStep.MENTOR_NEXT:
        text = ctx.t("alumni.mentor_next.noted", program=program.name)
    else:
        text = ctx.t("alumni.new_match.noted", program=program.name)
    return [Reply(Message(text=text, blocks=(Header(program.name), Text(text))))]
