"""Check-ins after each pair meeting: a private DM to each side; one answer per member, pair and meeting.

What one side answers is never shown to the other side nor posted in the pair's space: only the member
themselves (their reply) and the admins (export, digest aggregates) ever read it.
"""

from __future__ import annotations

from bot.kernel.calendar import session_count, session_time
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Button, Buttons, Form, Header, Message, Text
from bot.kernel.payload import Unavailable, id_and_index
from bot.kernel.planning import PlanContext, for_states
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.pairs.agenda import meeting_stage
from bot.pairs.scope import PairRun, my_open_meeting, pair_of, plan_pairs
from bot.sessions.checkins import checkin_inputs, goal_line, is_open, read_answers
from bot.sessions.scripts import checkin_question
from bot.sessions.series import SeriesPass, Session, dm_in_hours
from bot.sessions.timing import checkin_closes, checkin_due, is_pair_meeting
from storage.tables import Goal, Member, Pair, PairStatus, ProgramState

CHECKIN_FORM = "pair.checkin"
OPEN_ACTION = "pair_checkin.open"
NO_GOAL = "pair_running.no_goal"


def dm_message(t: Translator, run: PairRun, index: int, reader: Member, goal: Goal | None) -> Message:
    title = t("pair_running.checkin.title", meeting=index + 1)
    body = t("pair_running.checkin.dm", partner=run.partner_of(reader.id or 0).name)
    private = t("pair_running.checkin.private")
    hint = goal_line(t, goal, none_key=NO_GOAL)
    button = Buttons((Button(t("pair_running.checkin.button"), f"{OPEN_ACTION}:{run.pair.id}.{index}",
                             style="primary"),))
    return Message(text="\n".join([title, body, private, hint]),
                   blocks=(Header(title), Text(body), Text(private), Text(hint), button))


@for_states(ProgramState.RUNNING, ProgramState.CLOSING)  # the last session's check-in falls in closing
async def plan_pair_checkins(pc: PlanContext) -> int:
    """After each meeting, a DM to each side in their own working hours; stale when the next meeting starts."""
    # A member's working-hours due time is never earlier than the meeting's end: an early meeting waits.
    return await plan_pairs(pc, prefix="pair-checkin", due=checkin_due, stale=checkin_closes, each=_plan_checkin)


async def _plan_checkin(work: SeriesPass[Pair, PairRun], s: Session[Pair]) -> int:
    pc = work.pc
    run = await work.run(s.unit)
    if run is None:
        return 0  # a side is gone: nothing for this pair in this pass

    async def build(t: Translator, reader: Member) -> Message:
        goal = await pc.uow.running.goal(program_id=pc.program.id or 0, member_id=reader.id or 0)
        return dm_message(t, run, s.index, reader, goal)

    return await dm_in_hours(work, run, run.members, key=s.key, kind="pair_checkin", due=s.due, stale=s.stale,
                             build=build)


async def _form(ctx: Ctx, run: PairRun, index: int) -> Form:
    answer = await ctx.uow.pair_running.checkin(pair_id=run.pair.id or 0, member_id=ctx.member_id,
                                                meeting_index=index)
    goal = await ctx.uow.running.goal(program_id=run.program.id or 0, member_id=ctx.member_id)
    intro = "\n".join([ctx.t("pair_running.checkin.private"), goal_line(ctx.t, goal, none_key=NO_GOAL)])
    progress = checkin_question(run.program, meeting_stage(run, index), ctx.t.locale) \
        or ctx.t("pair_running.checkin.progress")
    return Form(
        form_id=CHECKIN_FORM, title=ctx.t("pair_running.checkin.form_title", meeting=index + 1),
        submit=ctx.t("running.checkin.submit"), intro=intro, state=f"{run.pair.id}.{index}",
        inputs=checkin_inputs(ctx.t, yes_field="met", labels=(
            ctx.t("pair_running.checkin.met", partner=run.partner_of(ctx.member_id).name),
            ctx.t("pair_running.checkin.usefulness"), progress,
            ctx.t("pair_running.checkin.progress_hint")),
            answer=(answer.met, answer.usefulness, answer.progress) if answer else None),
    )


async def _meeting_of(ctx: Ctx, state: str) -> tuple[PairRun, int]:
    """Resolve "<pair>.<meeting>": the actor's own pair, a meeting of it whose check-in is open now."""
    pair_id, index = id_and_index(state)
    run = await pair_of(ctx, pair_id)
    own = run.timetable  # the pair's own meetings: its check-in windows follow its schedule, not the program's
    if not 0 <= index < session_count(own) or not is_pair_meeting(run.pair, own, index):
        raise Unavailable()
    started = session_time(own, index)
    ended_before = run.pair.status == PairStatus.ENDED and (run.pair.ended_at is None or run.pair.ended_at <= started)
    if ended_before or not is_open(own, index, ctx.now):
        raise UserError("pair_running.checkin.closed", meeting=index + 1)
    return run, index


async def open_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    run, index = await _meeting_of(ctx, arg)
    return [OpenForm(await _form(ctx, run, index))]


async def checkin_command(ctx: Ctx, args: str) -> list[Response]:
    run, index = await my_open_meeting(ctx)
    run, index = await _meeting_of(ctx, f"{run.pair.id}.{index}")
    return [OpenForm(await _form(ctx, run, index))]


async def submit_checkin(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    run, index = await _meeting_of(ctx, form.state)
    met, useful, progress, errors = read_answers(ctx.t, form.values, yes_field="met")
    if errors:
        return [FormErrors(errors)]
    created = await ctx.uow.pair_running.save_checkin(values={
        "workspace_id": ctx.workspace_id, "program_id": run.program.id, "pair_id": run.pair.id,
        "member_id": ctx.member_id, "meeting_index": index, "met": met == "yes", "usefulness": int(useful),
        "progress": progress}, now=ctx.now)
    until = format_moment(checkin_closes(run.timetable, index), timezone=ctx.member.timezone, locale=ctx.t.locale)
    key = "pair_running.checkin.saved" if created else "pair_running.checkin.updated"
    # Only to the actor: nothing about the answer goes to the partner or the pair's space.
    return [Reply(Message(text=ctx.t(key, meeting=index + 1, until=until)), ephemeral=True)]
