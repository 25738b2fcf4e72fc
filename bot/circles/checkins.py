"""Check-ins after each session: a button that opens a short form; one answer per member, circle and session."""

from __future__ import annotations

from bot.circles.scope import CircleRun, load_circle, my_circle, plan_circles
from bot.kernel.calendar import group_timetable, session_count
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Button, Buttons, Context, Form, Header, Message, Text
from bot.kernel.payload import Unavailable, id_and_index
from bot.kernel.planning import PlanContext, for_states
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.sessions.checkins import checkin_inputs, goal_line, is_open, open_index, read_answers
from bot.sessions.scripts import checkin_question, stage_of
from bot.sessions.series import SeriesPass, Session, dm_in_hours, post
from bot.sessions.timing import checkin_closes, checkin_due
from storage.tables import Circle, Goal, Member, ProgramState

CHECKIN_FORM = "checkin.answer"
NO_GOAL = "running.checkin.no_goal"


def _buttons(t: Translator, run: CircleRun, index: int) -> Buttons:
    return Buttons((Button(t("running.checkin.button"), f"checkin.open:{run.circle.id}.{index}", style="primary"),))


def channel_message(t: Translator, run: CircleRun, index: int) -> Message:
    title = t("running.checkin.title", session=index + 1)
    body = t("running.checkin.channel", circle=run.circle.name)
    hint = t("running.checkin.goal_hint_channel")
    return Message(text=f"{title}\n{body}\n{hint}",
                   blocks=(Header(title), Text(body), _buttons(t, run, index), Context(hint)))


def dm_message(t: Translator, run: CircleRun, index: int, goal: Goal | None) -> Message:
    title = t("running.checkin.title", session=index + 1)
    body = t("running.checkin.dm", circle=run.circle.name)
    hint = goal_line(t, goal, none_key=NO_GOAL)
    return Message(text=f"{title}\n{body}\n{hint}",
                   blocks=(Header(title), Text(body), Text(hint), _buttons(t, run, index)))


@for_states(ProgramState.RUNNING, ProgramState.CLOSING)  # the last session's check-in falls in closing
async def plan_checkins(pc: PlanContext) -> int:
    """After each session: one channel post, or (checkins_by_dm) a DM per member in their working hours."""
    return await plan_circles(pc, prefix="checkin", due=checkin_due, stale=checkin_closes, each=_plan_checkin)


async def _plan_checkin(work: SeriesPass[Circle, CircleRun], s: Session[Circle]) -> int:
    pc = work.pc
    if not pc.program.checkins_by_dm:
        if work.planned(s.key):
            return 0
        run = await work.loaded(s.unit)
        return await post(work, target=run.target, members=run.members, key=s.key, kind="checkin", due=s.due,
                          stale=s.stale, build=lambda t: channel_message(t, run, s.index))
    if await _all_planned(work, s):
        return 0
    run = await work.loaded(s.unit)
    joined = {cm.member_id: cm.joined_at for cm in run.memberships}
    members = [m for m in run.members if joined.get(m.id or 0, pc.now) <= s.due]  # none before they joined

    async def build(t: Translator, member: Member) -> Message:
        goal = await pc.uow.running.goal(program_id=pc.program.id or 0, member_id=member.id or 0)
        return dm_message(t, run, s.index, goal)

    return await dm_in_hours(work, run, members, key=s.key, kind="checkin", due=s.due, stale=s.stale, build=build)


async def _all_planned(work: SeriesPass[Circle, CircleRun], s: Session[Circle]) -> bool:
    """Every member placed by the session's start has its DM planned: the check-in window is open all week, so
    most ticks find this, and need not load the circles' members to see it."""
    if "rosters" not in work.cache:
        work.cache["rosters"] = await work.pc.uow.seat_reads.rosters(workspace_id=work.pc.workspace_id,
                                                                      program_id=work.pc.program.id or 0)
    roster = work.cache["rosters"].get(s.unit.id or 0, [])
    return all(work.planned(f"{s.key}:{member_id}") for member_id, joined in roster if joined <= s.due)


def open_session(run: CircleRun, ctx: Ctx) -> int | None:
    """The session whose check-in is open now (on the circle's timetable): it has started and the next one has not."""
    table = group_timetable(run.program, run.circle)
    return open_index(table, range(session_count(table)), ctx.now)


async def _form(ctx: Ctx, run: CircleRun, index: int) -> Form:
    answer = await ctx.uow.running.checkin(circle_id=run.circle.id or 0, member_id=ctx.member_id,
                                           session_index=index)
    goal = await ctx.uow.running.goal(program_id=run.program.id or 0, member_id=ctx.member_id)
    intro = goal_line(ctx.t, goal, none_key=NO_GOAL)
    stage = stage_of(index, session_count(group_timetable(run.program, run.circle)))
    progress = checkin_question(run.program, stage, ctx.t.locale) or ctx.t("running.checkin.progress")
    return Form(
        form_id=CHECKIN_FORM, title=ctx.t("running.checkin.form_title", session=index + 1),
        submit=ctx.t("running.checkin.submit"), intro=intro, state=f"{run.circle.id}.{index}",
        inputs=checkin_inputs(ctx.t, yes_field="attended", labels=(
            ctx.t("running.checkin.attended"), ctx.t("running.checkin.usefulness"), progress,
            ctx.t("running.checkin.progress_hint")),
            answer=(answer.attended, answer.usefulness, answer.progress) if answer else None),
    )


async def _session_of(ctx: Ctx, state: str) -> tuple[CircleRun, int]:
    """Resolve "<circle>.<session>" and check the actor belongs to the circle and the window is open."""
    circle_id, index = id_and_index(state)
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=circle_id)
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id,
                                         program_id=circle.program_id) if circle else None
    if circle is None or program is None:
        raise Unavailable()
    table = group_timetable(program, circle)  # the circle's own sessions
    if not 0 <= index < session_count(table):
        raise Unavailable()
    run = await load_circle(ctx, circle, program)
    if ctx.member_id not in run.member_ids():
        raise UserError("running.checkin.not_member", circle=circle.name)
    if not is_open(table, index, ctx.now):
        raise UserError("running.checkin.closed", session=index + 1)
    return run, index


async def open_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    run, index = await _session_of(ctx, arg)
    return [OpenForm(await _form(ctx, run, index))]


async def checkin_command(ctx: Ctx, args: str) -> list[Response]:
    run = await my_circle(ctx)
    index = open_session(run, ctx)
    if index is None:
        raise UserError("running.checkin.none_open")
    run, index = await _session_of(ctx, f"{run.circle.id}.{index}")
    return [OpenForm(await _form(ctx, run, index))]


async def submit_checkin(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    run, index = await _session_of(ctx, form.state)
    attended, useful, progress, errors = read_answers(ctx.t, form.values, yes_field="attended")
    if errors:
        return [FormErrors(errors)]
    created = await ctx.uow.running.save_checkin(values={
        "workspace_id": ctx.workspace_id, "program_id": run.program.id, "circle_id": run.circle.id,
        "member_id": ctx.member_id, "session_index": index, "attended": attended == "yes",
        "usefulness": int(useful), "progress": progress}, now=ctx.now)
    until = format_moment(checkin_closes(group_timetable(run.program, run.circle), index),
                          timezone=ctx.member.timezone, locale=ctx.t.locale)
    key = "running.checkin.saved" if created else "running.checkin.updated"
    return [Reply(Message(text=ctx.t(key, session=index + 1, until=until)))]

