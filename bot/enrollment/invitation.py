"""Answering an invitation (`program invite`, or an onboarding program's): Accept opens the join questionnaire,
Decline records the no and nothing else happens. Nobody joins an invitation program without saying yes."""

from __future__ import annotations

from bot.enrollment.commands import start_join
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.messages import Message
from bot.kernel.payload import Unavailable
from bot.kernel.program_lookup import program_by_id
from bot.kernel.replies import Reply, Response
from storage.tables import EnrollmentStatus

ANSWERS = ("yes", "no")


async def answer(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """`invite:<program id>:yes|no`, typed by an attacker as far as we know: the program must be of this workspace
    and the member must have been invited to it (an enrollment row of theirs), else the calm "out of date"."""
    program_arg, _, choice = arg.rpartition(":")
    if choice not in ANSWERS:
        raise Unavailable()
    program = await program_by_id(ctx, program_arg)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None:
        raise Unavailable()
    if choice == "yes":
        return await start_join(ctx, program)
    if enrollment.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED):
        raise UserError("intake.decline_enrolled", program=program.name, slug=program.slug)
    if enrollment.status == EnrollmentStatus.INVITED:
        enrollment.status = EnrollmentStatus.DECLINED
        ctx.uow.enrollments.add(enrollment)
        ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="enrollment.declined",
                             actor_member_id=ctx.member_id, detail={"program_id": program.id})
    return [Reply(Message(text=ctx.t("intake.declined", program=program.name)))]
