"""Reverse-mentoring care: what the senior hopes to learn, and the junior mentor's private engagement check.

A reverse pair carries a rank gap: the junior mentor may not say "my mentee never has time" out loud. So the
engagement check goes to the mentor alone, by DM, and its answers are read by nobody but them; admins see only
averages over at least K mentors (bot/pairs/care_report.py). The mentee is never told it exists.
"""

from __future__ import annotations

from bot.kernel.calendar import closing_start, group_timetable, session_time
from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Form, Header, Message, Option, Select, Text
from bot.kernel.outbox import dm
from bot.kernel.payload import Unavailable, id_and_index
from bot.kernel.planning import PlanContext
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.pairs.scope import PairRun, pair_of, plan_pairs
from bot.sessions.checkins import form_value
from bot.sessions.series import SeriesPass, Session, dm_in_hours
from bot.sessions.timing import checkin_closes, checkin_due, pair_meetings
from storage.tables import EngagementCheck, Member, Pair, PairStatus, Program, ProgramFormat, ProgramState

ENGAGEMENT_FORM = "pair.engagement"
ENGAGEMENT_ACTION = "pair_engagement.open"
QUESTIONS = ("making_time", "engaged")
SCALE = ("1", "2", "3", "4", "5")


# What the senior hopes to learn (asked at intake, Enrollment.hopes)

async def hopes_of(scope: Scope, program: Program, mentee_id: int) -> str:
    if program.format != ProgramFormat.REVERSE:
        return ""
    enrollment = await scope.uow.enrollments.get(workspace_id=scope.workspace_id, program_id=program.id or 0,
                                                 member_id=mentee_id)
    return enrollment.hopes.strip() if enrollment is not None else ""


async def tell_hopes(scope: Scope, program: Program, pair: Pair, mentor: Member, mentee: Member) -> None:
    """When a reverse pair starts, its junior mentor reads (by DM) what their senior mentee hopes to learn."""
    hopes = await hopes_of(scope, program, mentee.id or 0)
    if hopes:
        await dm(scope, member=mentor, key=f"pair-hopes:{pair.id}", kind="pair", program_id=program.id,
                 build=lambda t: Message(text=t("care.hopes.mentor", mentee=mentee.name, program=program.name,
                                                hopes=hopes)))


async def hopes_line(ctx: Ctx, pair: Pair, program: Program) -> str | None:
    """`pair info`'s line for a reverse pair: the senior's own hopes, or their mentee's for the mentor."""
    hopes = await hopes_of(ctx, program, pair.mentee_member_id)
    if not hopes:
        return None
    key = "care.hopes.info_mentee" if pair.mentee_member_id == ctx.member_id else "care.hopes.info_mentor"
    return ctx.t(key, hopes=hopes)


# The engagement check

def check_rounds(pair: Pair, program: Program) -> list[int]:
    """The session indexes after which the mentor is asked: the pair's second meeting and its midpoint
    (the same one for a short program). Meetings after the closing start never happen."""
    end, own = closing_start(program), group_timetable(program, pair)
    meetings = [i for i in pair_meetings(pair, own) if session_time(own, i) < end]
    positions = {1, max(1, (len(meetings) - 1) // 2)}
    return sorted(meetings[p] for p in positions if p < len(meetings))


def _message(t: Translator, run: PairRun, index: int) -> Message:
    title = t("care.engagement.title", meeting=index + 1)
    body = t("care.engagement.dm", mentee=run.mentee.name)
    private = t("care.engagement.private", mentee=run.mentee.name)
    button = Buttons((Button(t("care.engagement.button"), f"{ENGAGEMENT_ACTION}:{run.pair.id}.{index}",
                             style="primary"),))
    return Message(text="\n".join([title, body, private]), blocks=(Header(title), Text(body), Text(private), button))


async def plan_engagement_checks(pc: PlanContext) -> int:
    """Reverse programs: after the pair's second meeting and its midpoint, a DM to the junior mentor only, in
    their working hours like a check-in; stale when the next meeting starts."""
    if pc.program.format != ProgramFormat.REVERSE:
        return 0
    return await plan_pairs(pc, prefix="pair-engagement", due=checkin_due, stale=checkin_closes, each=_plan_check)


async def _plan_check(work: SeriesPass[Pair, PairRun], s: Session[Pair]) -> int:
    if s.index not in check_rounds(s.unit, work.pc.program):
        return 0
    run = await work.run(s.unit)
    if run is None or run.mentor.erased:
        return 0

    async def build(t: Translator, reader: Member) -> Message:
        return _message(t, run, s.index)

    return await dm_in_hours(work, run, [run.mentor], key=s.key, kind="pair_engagement", due=s.due,
                             stale=s.stale, build=build)


async def _check_of(ctx: Ctx, state: str) -> tuple[PairRun, int]:
    """Resolve "<pair>.<meeting>": a reverse pair the actor mentors, one of its check rounds, open now."""
    pair_id, index = id_and_index(state)
    run = await pair_of(ctx, pair_id)
    program = run.program
    if program.format != ProgramFormat.REVERSE or run.mentor.id != ctx.member_id:
        raise Unavailable()  # the mentee (or a forged id) learns nothing, not even that a check exists
    if index not in check_rounds(run.pair, program):
        raise Unavailable()
    started = session_time(run.timetable, index)
    ended_before = run.pair.status == PairStatus.ENDED and (run.pair.ended_at is None or run.pair.ended_at <= started)
    if ended_before or program.state != ProgramState.RUNNING or not started <= ctx.now < closing_start(program):
        raise UserError("care.engagement.closed")
    return run, index


def _scale(t: Translator) -> tuple[Option, ...]:
    return tuple(Option(t(f"care.scale.{n}"), n) for n in SCALE)


async def _form(ctx: Ctx, run: PairRun, index: int) -> Form:
    answer = await ctx.uow.care.engagement(pair_id=run.pair.id or 0, member_id=ctx.member_id, round=index)
    initial = _initial(answer)
    mentee = run.mentee.name
    return Form(form_id=ENGAGEMENT_FORM, title=ctx.t("care.engagement.form_title"),
                submit=ctx.t("care.engagement.submit"), intro=ctx.t("care.engagement.private", mentee=mentee),
                state=f"{run.pair.id}.{index}",
                inputs=tuple(Select(q, ctx.t(f"care.engagement.{q}", mentee=mentee), _scale(ctx.t),
                                    initial=initial.get(q)) for q in QUESTIONS))


def _initial(answer: EngagementCheck | None) -> dict[str, str]:
    if answer is None:
        return {}
    return {"making_time": str(answer.making_time), "engaged": str(answer.engaged)}


async def open_engagement(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    run, index = await _check_of(ctx, arg)
    return [OpenForm(await _form(ctx, run, index))]


async def submit_engagement(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    run, index = await _check_of(ctx, form.state)
    answers = {q: form_value(form.values, q) for q in QUESTIONS}
    errors = {q: ctx.t("running.error.choice") for q, value in answers.items() if value not in SCALE}
    if errors:
        return [FormErrors(errors)]
    created = await ctx.uow.care.save_engagement(values={
        "workspace_id": ctx.workspace_id, "program_id": run.program.id, "pair_id": run.pair.id,
        "member_id": ctx.member_id, "round": index, "making_time": int(answers["making_time"]),
        "engaged": int(answers["engaged"])}, now=ctx.now)
    key = "care.engagement.saved" if created else "care.engagement.updated"
    # Only to the mentor: nothing is posted to the pair's space or sent to the mentee.
    return [Reply(Message(text=ctx.t(key, mentee=run.mentee.name)), ephemeral=True)]
