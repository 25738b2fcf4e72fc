"""Pair commands: info, end (no-fault), avoid, and the admins' publish and set."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import FormSubmitted
from bot.kernel.grammar import mentioned_users
from bot.kernel.messages import Form, Message, TextInput
from bot.kernel.outbox import dm
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.program_lookup import find_program
from bot.kernel.replies import OpenForm, Reply, Response
from bot.pairs.care import hopes_line
from bot.pairs.forming import create_pair, publish_matching
from bot.pairs.pool import MENTEE, MENTOR
from bot.pairs.shortlist import _offer_next
from bot.pairs.when import next_meeting_line
from storage.tables import Pair, PairStatus, Program, ProgramState

END_FORM = "pair.end"


async def publish(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    if program.format == "circles" or program.state not in (ProgramState.FORMING, ProgramState.RUNNING):
        raise UserError("pairs.not_matching")
    return [Reply(Message(text=await publish_matching(ctx, program)))]


async def set_pair(ctx: Ctx, args: str) -> list[Response]:
    """Admins adjust by hand: `pair set <program> @mentor @mentee`."""
    users = mentioned_users(args)
    name = args.split("<@", 1)[0].strip()
    if len(users) != 2 or not name:
        raise UserError("pairs.set_usage")
    program = await find_program(ctx, name)
    people = []
    for user, role in zip(users, (MENTOR, MENTEE), strict=True):
        member = await ctx.uow.members.by_external_id(workspace_id=ctx.workspace_id, external_id=user)
        enrollment = member and await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id,
                                                              program_id=program.id or 0, member_id=member.id or 0)
        if member is None or not enrollment or enrollment.role != role or enrollment.status != "active":
            raise UserError("pairs.set_roles", user=f"<@{user}>", role=ctx.t(f"pairs.role.{role}"))
        people.append(member)
    mentor, mentee = people
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=mentee.id or 0):
        if pair.program_id == program.id and pair.mentee_member_id == mentee.id:
            pair.status, pair.ended_at, pair.ended_by_member_id = PairStatus.ENDED, ctx.now, ctx.member_id
            pair.end_reason = "adjusted by an admin"
            ctx.uow.pairs.add(pair)
    await ctx.uow.flush()
    await create_pair(ctx, program, mentor, mentee, score=0.0)
    return [Reply(Message(text=ctx.t("pairs.set", mentor=mentor.name, mentee=mentee.name)))]


async def my_pairs(ctx: Ctx) -> list[Pair]:
    pairs = await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
    if not pairs:
        raise UserError("pairs.none")
    return pairs


async def info(ctx: Ctx, args: str) -> list[Response]:
    lines = []
    for pair in await my_pairs(ctx):
        partner_id = pair.mentee_member_id if pair.mentor_member_id == ctx.member_id else pair.mentor_member_id
        partner = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=partner_id)
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=pair.program_id)
        role = MENTOR if pair.mentor_member_id == ctx.member_id else MENTEE
        lines.append(ctx.t("pairs.info_line", program=program.name if program else "-",
                           partner=partner.name if partner else "-", role=ctx.t(f"pairs.role.{role}")))
        upcoming = next_meeting_line(ctx.t, program, pair, ctx.member, now=ctx.now) \
            if program and program.state == ProgramState.RUNNING else None
        hopes = await hopes_line(ctx, pair, program) if program else None
        lines += [line for line in (upcoming, hopes) if line]
    return [Reply(Message(text="\n".join(lines)))]


async def end(ctx: Ctx, args: str) -> list[Response]:
    pair = (await my_pairs(ctx))[-1]
    return [OpenForm(Form(form_id=END_FORM, title=ctx.t("pairs.end_title"), submit=ctx.t("pairs.end_submit"),
                          intro=ctx.t("pairs.end_intro"), state=str(pair.id),
                          inputs=(TextInput("reason", ctx.t("leave.reason"), optional=True, multiline=True,
                                            max_length=ctx.services.config.max_free_text),)))]


async def submit_end(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    pair_id = int_id(form.state)
    pair = next((p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
                 if p.id == pair_id), None)  # only an active pair of the actor's own
    if pair is None:
        raise Unavailable()
    reason = form.values.get("reason")
    pair.status, pair.ended_at, pair.ended_by_member_id = PairStatus.ENDED, ctx.now, ctx.member_id
    pair.end_reason = (reason if isinstance(reason, str) else "").strip()[: ctx.services.config.max_free_text] or None
    ctx.uow.pairs.add(pair)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="pair.ended",
                         actor_member_id=ctx.member_id, detail={"pair_id": pair.id})
    await ctx.uow.flush()
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=pair.program_id)
    assert program is not None
    other_id = pair.mentee_member_id if pair.mentor_member_id == ctx.member_id else pair.mentor_member_id
    other = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=other_id)
    if other is not None and other_id == pair.mentor_member_id:  # the mentor hears it kindly; no reason shown
        await dm(ctx, member=other, key=f"pair-ended:{pair.id}", kind="pair", program_id=program.id,
                 build=lambda t: Message(text=t("pairs.ended_other", program=program.name)))
    if program.state in (ProgramState.FORMING, ProgramState.RUNNING):
        await _offer_next(ctx, program, pair.mentee_member_id, "pairs.rematch")
    return [Reply(Message(text=ctx.t("pairs.ended")))]


async def avoid(ctx: Ctx, args: str) -> list[Response]:
    """`pair avoid @person`: never be matched with them (private; nobody is told)."""
    users = mentioned_users(args)
    if not users:
        raise UserError("pairs.avoid_usage")
    changed = 0
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if program is None or program.format == "circles":
            continue
        avoided = list(enrollment.avoid_member_ids)
        for user in users:
            other = await ctx.uow.members.get_or_create(workspace_id=ctx.workspace_id, external_id=user, now=ctx.now)
            if other.id not in avoided and other.id != ctx.member_id:
                avoided.append(other.id or 0)
        enrollment.avoid_member_ids = avoided
        ctx.uow.enrollments.add(enrollment)
        changed += 1
    if not changed:
        raise UserError("pairs.none")
    return [Reply(Message(text=ctx.t("pairs.avoided", count=len(users))))]


async def on_program_leave(ctx: Ctx, program: Program) -> None:
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        if pair.program_id == program.id:
            pair.status, pair.ended_at, pair.ended_by_member_id = PairStatus.ENDED, ctx.now, ctx.member_id
            ctx.uow.pairs.add(pair)
