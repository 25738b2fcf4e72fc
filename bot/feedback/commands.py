"""Feedback commands: answer what is open, see the results, set how often pulse polls run."""

from __future__ import annotations

from datetime import datetime

from bot.feedback import assessment, polls
from bot.feedback.disclosure import disclose_evaluation, disclose_round, k_of
from bot.feedback.results import results_message, round_label
from bot.feedback.schedule import ASSESSMENT_KINDS, POLL_KINDS
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Message, Text
from bot.kernel.program_lookup import find_program
from bot.kernel.replies import Reply, Response
from storage.tables import EnrollmentStatus, PollResponse, Program
from storage.uow import UnitOfWork

MAX_PULSE_EVERY = 12


async def program_results(uow: UnitOfWork, t: Translator, *, program: Program, k: int, admin: bool,
                          now: datetime) -> Message:
    """Every reader's view goes through bot.feedback.disclosure: admins see no more figures than members."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    all_rounds = await uow.feedback.polls_of_program(workspace_id=workspace_id, program_id=program_id)
    rounds = [p for p in all_rounds if p.kind in POLL_KINDS and p.opens_at <= now]
    answers = await uow.feedback.responses(workspace_id=workspace_id, poll_ids=[p.id or 0 for p in rounds])
    by_poll: dict[int, list[PollResponse]] = {}
    for answer in answers:
        by_poll.setdefault(answer.poll_id, []).append(answer)
    assessments = await uow.feedback.assessments(workspace_id=workspace_id, program_id=program_id)
    evaluation = disclose_evaluation(rounds=all_rounds, assessments=assessments, k=k, now=now)
    disclosed = [disclose_round(poll=p, answers=by_poll.get(p.id or 0, []), k=k, now=now) for p in rounds]
    return results_message(t, program_name=program.name, timezone=program.timezone, rounds=disclosed,
                           evaluation=evaluation, k=k, admin=admin)


async def _my_programs(ctx: Ctx) -> list[Program]:
    found = []
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if program is not None:
            found.append(program)
    return found


async def answer(ctx: Ctx, args: str) -> list[Response]:
    """`feedback`: open whatever poll or self-assessment is waiting for the member (the DM may be long gone)."""
    programs = {p.id or 0: p for p in await _my_programs(ctx)}
    rounds = await ctx.uow.feedback.open_polls(workspace_id=ctx.workspace_id, program_ids=[*programs], now=ctx.now)
    if not rounds:
        raise UserError("feedback.none_open")
    if len(rounds) == 1:
        verb = assessment.OPEN_ASSESSMENT if rounds[0].kind in ASSESSMENT_KINDS else polls.OPEN_POLL
        opener = assessment.open_assessment if rounds[0].kind in ASSESSMENT_KINDS else polls.open_poll
        return await opener(ctx, Action(ctx.actor, f"{verb}:{rounds[0].id}"), str(rounds[0].id))
    buttons = []
    for poll in rounds:
        verb = assessment.OPEN_ASSESSMENT if poll.kind in ASSESSMENT_KINDS else polls.OPEN_POLL
        program = programs[poll.program_id]
        buttons.append(Button(f"{program.name}: {round_label(ctx.t, poll)}"[:75], f"{verb}:{poll.id}"))
    text = ctx.t("feedback.choose")
    return [Reply(Message(text=text + "\n" + "\n".join(f"• {b.label}" for b in buttons),
                          blocks=(Text(text), Buttons(tuple(buttons)))))]


async def results(ctx: Ctx, args: str) -> list[Response]:
    """`feedback results [program]`: the same figures for everyone; admins also read the comments (never names)."""
    admin = await ctx.is_admin()
    if args.strip():
        program = await find_program(ctx, args.strip())
    else:
        mine = await _my_programs(ctx)
        if len(mine) != 1:
            raise UserError("feedback.results_usage")
        program = mine[0]
    if not admin:
        enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                                   member_id=ctx.member_id)
        if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
            raise UserError("feedback.not_in_program")
    k = k_of(program, ctx.services.config.k_anonymity)
    return [Reply(await program_results(ctx.uow, ctx.t, program=program, k=k,
                                        admin=admin, now=ctx.now))]


async def every(ctx: Ctx, args: str) -> list[Response]:
    """`feedback every <program> <weeks>` (admins): how often pulse polls run; 0 turns them off."""
    name, _, weeks = args.strip().rpartition(" ")
    if not name or not weeks.isdigit() or int(weeks) > MAX_PULSE_EVERY:
        raise UserError("feedback.every_usage", most=MAX_PULSE_EVERY)
    program = await find_program(ctx, name)
    program.pulse_every_weeks = int(weeks)
    ctx.uow.programs.add(program)
    key = "feedback.every_off" if program.pulse_every_weeks == 0 else "feedback.every_set"
    return [Reply(Message(text=ctx.t(key, program=program.name, weeks=program.pulse_every_weeks)))]
