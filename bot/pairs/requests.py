"""A mentee's request to a mentor from the shortlist, and the mentor's answer."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Message, Text
from bot.kernel.outbox import dm
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.ports import SpaceRef
from bot.kernel.program_lookup import program_by_id
from bot.kernel.replies import Reply, Response
from bot.pairs import matcher as pairing
from bot.pairs.forming import create_pair
from bot.pairs.pool import MENTEE, load_pool, shortlist_for, taken_seats
from bot.pairs.shortlist import _offer_next
from storage.tables import Member, PairRequest, PairRequestStatus, Program, ProgramState


async def _pair_program(ctx: Ctx, arg: str) -> tuple[Program, int]:
    program_part, _, mentor_part = arg.partition(".")  # "<program>.<mentor's member id>"
    program = await program_by_id(ctx, program_part)
    mentor_id = int_id(mentor_part)
    if program.state not in (ProgramState.FORMING, ProgramState.RUNNING):
        raise UserError("pairs.not_matching")
    return program, mentor_id


async def choose(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    program, mentor_id = await _pair_program(ctx, arg)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status != "active" or enrollment.role != MENTEE:
        raise UserError("pairs.only_mentees")
    if [p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
            if p.program_id == program.id]:
        raise UserError("pairs.already_paired")
    requests = await ctx.uow.pairs.requests_of_mentee(program_id=program.id or 0, mentee_member_id=ctx.member_id)
    if any(r.status == PairRequestStatus.PENDING for r in requests):
        raise UserError("pairs.request_pending")
    pool = await load_pool(ctx, program)
    # Only a mentor the server would shortlist for this mentee now, never any member id the client names.
    if mentor_id not in {s.mentor_id for s in await shortlist_for(ctx, pool, ctx.member_id)}:
        raise UserError("pairs.mentor_unavailable")
    created = await ctx.uow.pairs.add_request(
        workspace_id=ctx.workspace_id, program_id=program.id or 0, mentee_member_id=ctx.member_id,
        mentor_member_id=mentor_id, expires_at=ctx.now + timedelta(hours=program.pair_response_hours), now=ctx.now)
    if created is None:
        raise UserError("pairs.request_pending")
    mentor = pool.members[mentor_id]
    mentee = ctx.member
    await dm(ctx, member=mentor, key=f"pair-request:{created}", kind="pair", program_id=program.id,
             build=lambda t: _request_message(t, program, mentee, created))
    return [Reply(Message(text=ctx.t("pairs.requested", name=mentor.name, hours=program.pair_response_hours)))]


def _request_message(t: Translator, program: Program, mentee: Member, request_id: int) -> Message:
    wants = ", ".join(mentee.skills_wanted) or "-"
    text = t("pairs.request", mentee=mentee.name, program=program.name, wants=wants,
             hours=program.pair_response_hours)
    return Message(text=text, blocks=(Text(text), Buttons((
        Button(t("pairs.accept"), f"pair.accept:{request_id}", style="primary"),
        Button(t("pairs.decline"), f"pair.decline:{request_id}")))))


async def _request(ctx: Ctx, arg: str) -> tuple[PairRequest, Program]:
    request = await ctx.uow.pairs.request(workspace_id=ctx.workspace_id, request_id=int_id(arg))
    if request is None or request.mentor_member_id != ctx.member_id:  # only the mentor asked may answer
        raise Unavailable()
    if request.status != PairRequestStatus.PENDING:
        raise UserError("pairs.request_closed")
    if request.expires_at <= ctx.now:
        raise UserError("pairs.request_closed")
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=request.program_id)
    if program is None:
        raise Unavailable()
    return request, program


async def accept(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    request, program = await _request(ctx, arg)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    seats = (await taken_seats(ctx, program)).get(ctx.member_id, 0)
    if enrollment is None or seats >= enrollment.capacity:
        raise UserError("pairs.full")
    mentee = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=request.mentee_member_id)
    assert mentee is not None
    request.status, request.answered_at = PairRequestStatus.ACCEPTED, ctx.now
    ctx.uow.pairs.add(request)
    pool = await load_pool(ctx, program)
    score = pairing.pair_score(mentor=pool.mentor(ctx.member_id), mentee=pool.mentee(mentee.id or 0),
                               rules=pool.rules) or 0.0
    await create_pair(ctx, program, ctx.member, mentee, score=score)
    # A step after the pair's own, so the mentee hears of the acceptance after the welcome, as before.
    ctx.after_commit(partial(_tell_accepted, request_id=request.id or 0, program_id=program.id or 0,
                             mentor=ctx.member, mentee=mentee))
    return [Reply(Message(text=ctx.t("pairs.accepted", name=mentee.name)))]


async def _tell_accepted(ctx: Ctx, space: SpaceRef | None, *, request_id: int, program_id: int, mentor: Member,
                         mentee: Member) -> None:
    await dm(ctx, member=mentee, key=f"pair-accepted:{request_id}", kind="pair", program_id=program_id,
             build=lambda t: Message(text=t("pairs.accepted_mentee", name=mentor.name)))


async def decline(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    request, program = await _request(ctx, arg)
    request.status, request.answered_at = PairRequestStatus.DECLINED, ctx.now
    ctx.uow.pairs.add(request)
    await ctx.uow.flush()
    await _offer_next(ctx, program, request.mentee_member_id, "pairs.declined_mentee")
    return [Reply(Message(text=ctx.t("pairs.declined")))]
