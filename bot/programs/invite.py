"""Invitations: `program invite <program> @people…` and an onboarding program's invitations to newcomers. Each invited
person gets one DM with Accept and Decline (answered in bot/enrollment/invitation.py); nobody is enrolled until they
say yes."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import UserError
from bot.kernel.grammar import mentioned_users
from bot.kernel.i18n import Translator
from bot.kernel.intake import JOINING
from bot.kernel.messages import Button, Buttons, Fields, Header, Message, Text
from bot.kernel.outbox import dm
from bot.kernel.planning import PlanContext, for_states
from bot.kernel.program_lookup import find_program
from bot.kernel.replies import Reply, Response
from bot.sessions.timing import zone
from storage.tables import EnrollmentStatus, Member, Participation, Program, ProgramState


def invitation(t: Translator, program: Program, *, onboarding: bool = False) -> Message:
    key = "intake.invite.onboarding" if onboarding else "intake.invite.dm"
    text = t(key, program=program.name, goal=program.goal, days=program.invite_new_within_days)
    blocks: tuple = (Header(t("intake.invite.title", program=program.name)), Text(text))
    rules = [x for x in (program.rules_frequency, program.rules_duration) if x]
    if rules:
        blocks = (*blocks, Fields(((t("program.field.rules"), " · ".join(rules)),)))
    blocks = (*blocks, Buttons((Button(t("intake.invite.accept"), f"invite:{program.id}:yes", style="primary"),
                                Button(t("intake.invite.decline"), f"invite:{program.id}:no"))))
    return Message(text=text, blocks=blocks)


async def invite_member(scope: Scope, program: Program, member: Member, *, onboarding: bool = False) -> str:
    """Invite one member, once: "invited", or "already_<status>" (active, waitlisted, invited, declined, left) and
    then nothing is sent; an erased or unreachable member is "unreachable"."""
    assert program.id is not None and member.id is not None
    if member.erased or not member.reachable:
        return "unreachable"
    created = await scope.uow.enrollments.enroll(workspace_id=scope.workspace_id, program_id=program.id,
                                                 member_id=member.id, now=scope.now, status=EnrollmentStatus.INVITED)
    if not created:
        existing = await scope.uow.enrollments.get(workspace_id=scope.workspace_id, program_id=program.id,
                                                   member_id=member.id)
        return f"already_{existing.status if existing is not None else EnrollmentStatus.INVITED}"
    await dm(scope, member=member, key=f"invite:{program.id}:{member.id}", kind="dm", program_id=program.id,
             build=lambda t: invitation(t, program, onboarding=onboarding))
    return "invited"


async def program_invite(ctx: Ctx, args: str) -> list[Response]:
    users = mentioned_users(args)
    name = args.split("<@", 1)[0].strip()
    if not users or not name:
        raise UserError("intake.invite.usage")
    program = await find_program(ctx, name)
    if program.participation == Participation.MANDATORY:
        raise UserError("intake.invite.mandatory", program=program.name, slug=program.slug)
    if program.state not in JOINING:
        raise UserError("intake.invite.not_open", program=program.name, state=ctx.t(f"state.{program.state}"),
                        slug=program.slug)
    outcomes: Counter[str] = Counter()
    for user in dict.fromkeys(users):
        member = await ctx.uow.members.get_or_create(workspace_id=ctx.workspace_id, external_id=user, now=ctx.now)
        outcomes[await invite_member(ctx, program, member)] += 1
    parts = [ctx.t(f"intake.invite.count.{outcome}", count=count) for outcome, count in sorted(outcomes.items())]
    return [Reply(Message(text=ctx.t("intake.invite.done", program=program.name) + " " + "; ".join(parts) + "."))]


@for_states(ProgramState.ENROLLING, ProgramState.RUNNING)
async def plan_onboarding(pc: PlanContext) -> int:
    """An onboarding program invites, once, whoever started at the company within its last N days (the org
    import's start dates), reachable and not erased, and not yet invited or enrolled."""
    program = pc.program
    if program.invite_new_within_days <= 0 or program.participation == Participation.MANDATORY:
        return 0
    today = pc.now.astimezone(zone(program.timezone)).date()
    newcomers = await pc.uow.members.started_between(
        workspace_id=pc.workspace_id, since=today - timedelta(days=program.invite_new_within_days), until=today)
    return sum([await invite_member(pc, program, member, onboarding=True) == "invited" for member in newcomers])
