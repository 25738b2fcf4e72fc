"""Check-ins after each session: a button that opens a short form; one answer per member, circle and session."""

from __future__ import annotations

from datetime import datetime

from bot.circles.due import PlanPass, any_open, due_state, planning_pass
from bot.circles.goals import goal_summary
from bot.circles.scope import CircleRun, channel_translator, load_circle, my_circle
from bot.kernel.calendar import session_count, session_time
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted, FormValue
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Button, Buttons, Context, Form, Header, Message, Option, Select, Text, TextInput
from bot.kernel.outbox import enqueue, note_stale, user_target
from bot.kernel.payload import Unavailable, id_and_index
from bot.kernel.planning import PlanContext
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.sessions.timing import checkin_closes, checkin_due, is_paused, local_day, working_due
from storage.tables import Circle, Goal, Member

CHECKIN_FORM = "checkin.answer"
MAX_PROGRESS = 300


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
    hint = t("running.checkin.goal_reminder", goal=goal_summary(t, goal)) if goal else t("running.checkin.no_goal")
    return Message(text=f"{title}\n{body}\n{hint}",
                   blocks=(Header(title), Text(body), Text(hint), _buttons(t, run, index)))


async def plan_checkins(pc: PlanContext) -> int:
    """After each session: one channel post, or (checkins_by_dm) a DM per member in their working hours."""
    windows = [(checkin_due(pc.program, i), checkin_closes(pc.program, i)) for i in range(session_count(pc.program))]
    if not any_open(pc.now, windows):
        return 0
    queued = 0
    work = await planning_pass(pc)
    for circle in work.circles:
        for index, (due, stale) in enumerate(windows):
            if stale <= circle.created_at:
                continue
            if pc.now < due:
                break
            if not pc.program.checkins_by_dm:
                queued += await _plan_post(work, circle, index, due, stale)
                continue
            run = await work.run(circle)
            joined = {cm.member_id: cm.joined_at for cm in run.memberships}
            for member in run.members:
                if joined.get(member.id or 0, pc.now) <= due:  # not for sessions before they joined
                    queued += await _plan_dm(work, run, index, member)
    return queued


async def _plan_post(work: PlanPass, circle: Circle, index: int, due: datetime, stale: datetime) -> int:
    pc = work.pc
    key = f"checkin:{circle.id}:{index}"
    if key in work.keys:
        return 0
    run = await work.run(circle)
    if due_state(pc.now, due=due, stale=stale) == "stale":
        await note_stale(pc, key=key, kind="checkin", target=run.target, due=due, stale=stale)
        return 0
    t = channel_translator(pc.workspace, run.members)
    return int(await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind="checkin", target=run.target,
                             message=channel_message(t, run, index), due_at=due, stale_at=stale,
                             program_id=pc.program.id))


async def _plan_dm(work: PlanPass, run: CircleRun, index: int, member: Member) -> int:
    pc = work.pc
    key = f"checkin:{run.circle.id}:{index}:{member.id}"
    if key in work.keys:
        return 0
    fallback = pc.program.timezone
    due = working_due(member, checkin_due(pc.program, index), fallback=fallback)
    stale = checkin_closes(pc.program, index)
    target = user_target(pc.workspace, member.external_id)
    state = due_state(pc.now, due=due, stale=stale)
    if state == "early":
        return 0
    if state == "stale":
        await note_stale(pc, key=key, kind="checkin", target=target, due=due, stale=stale, member_id=member.id)
        return 0
    enrollment = run.enrollments.get(member.id or 0)
    if is_paused(enrollment, local_day(member, due, fallback=fallback)) or is_paused(
            enrollment, local_day(member, pc.now, fallback=fallback)):
        # Away for this session: no DM now and none to catch up on after they come back.
        await note_stale(pc, key=key, kind="checkin", target=target, due=due, stale=stale, member_id=member.id,
                         reason="recipient paused")
        return 0
    goal = await pc.uow.running.goal(program_id=pc.program.id or 0, member_id=member.id or 0)
    t = Translator(resolve_locale(member.locale, pc.workspace.locale))
    return int(await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind="checkin", target=target,
                             message=dm_message(t, run, index, goal), due_at=due, stale_at=stale,
                             program_id=pc.program.id, member_id=member.id))


def open_session(run: CircleRun, ctx: Ctx) -> int | None:
    """The session whose check-in is open now: it has started and the next one has not."""
    for index in range(session_count(run.program)):
        if session_time(run.program, index) <= ctx.now < checkin_closes(run.program, index):
            return index
    return None


def _yes_no(t: Translator) -> tuple[Option, ...]:
    return (Option(t("running.checkin.yes"), "yes"), Option(t("running.checkin.no"), "no"))


def _usefulness(t: Translator) -> tuple[Option, ...]:
    return tuple(Option(t(f"running.checkin.useful_{n}"), str(n)) for n in range(1, 6))


async def _form(ctx: Ctx, run: CircleRun, index: int) -> Form:
    answer = await ctx.uow.running.checkin(circle_id=run.circle.id or 0, member_id=ctx.member_id,
                                           session_index=index)
    goal = await ctx.uow.running.goal(program_id=run.program.id or 0, member_id=ctx.member_id)
    intro = ctx.t("running.checkin.goal_reminder", goal=goal_summary(ctx.t, goal)) if goal else ctx.t(
        "running.checkin.no_goal")
    return Form(
        form_id=CHECKIN_FORM, title=ctx.t("running.checkin.form_title", session=index + 1),
        submit=ctx.t("running.checkin.submit"), intro=intro, state=f"{run.circle.id}.{index}",
        inputs=(
            Select("attended", ctx.t("running.checkin.attended"), _yes_no(ctx.t),
                   initial=("yes" if answer.attended else "no") if answer else None),
            Select("usefulness", ctx.t("running.checkin.usefulness"), _usefulness(ctx.t),
                   initial=str(answer.usefulness) if answer else None),
            TextInput("progress", ctx.t("running.checkin.progress"), initial=answer.progress if answer else "",
                      optional=True, max_length=MAX_PROGRESS, placeholder=ctx.t("running.checkin.progress_hint")),
        ),
    )


async def _session_of(ctx: Ctx, state: str) -> tuple[CircleRun, int]:
    """Resolve "<circle>.<session>" and check the actor belongs to the circle and the window is open."""
    circle_id, index = id_and_index(state)
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=circle_id)
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id,
                                         program_id=circle.program_id) if circle else None
    if circle is None or program is None or not 0 <= index < session_count(program):
        raise Unavailable()
    run = await load_circle(ctx, circle, program)
    if ctx.member_id not in run.member_ids():
        raise UserError("running.checkin.not_member", circle=circle.name)
    closes = checkin_closes(program, index)
    if not session_time(program, index) <= ctx.now < closes:
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


def _value(values: dict[str, FormValue], name: str) -> str:
    value = values.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join((value or "").split())


async def submit_checkin(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    run, index = await _session_of(ctx, form.state)
    attended, usefulness = _value(form.values, "attended"), _value(form.values, "usefulness")
    progress = _value(form.values, "progress")
    errors: dict[str, str] = {}
    if attended not in ("yes", "no"):
        errors["attended"] = ctx.t("running.error.choice")
    if usefulness not in {"1", "2", "3", "4", "5"}:
        errors["usefulness"] = ctx.t("running.error.choice")
    if len(progress) > MAX_PROGRESS:
        errors["progress"] = ctx.t("running.error.too_long", limit=MAX_PROGRESS)
    if errors:
        return [FormErrors(errors)]
    created = await ctx.uow.running.save_checkin(values={
        "workspace_id": ctx.workspace_id, "program_id": run.program.id, "circle_id": run.circle.id,
        "member_id": ctx.member_id, "session_index": index, "attended": attended == "yes",
        "usefulness": int(usefulness), "progress": progress}, now=ctx.now)
    until = format_moment(checkin_closes(run.program, index), timezone=ctx.member.timezone, locale=ctx.t.locale)
    key = "running.checkin.saved" if created else "running.checkin.updated"
    return [Reply(Message(text=ctx.t(key, session=index + 1, until=until)))]

