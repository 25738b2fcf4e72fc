"""Check-ins after each pair meeting: a private DM to each side; one answer per member, pair and meeting.

What one side answers is never shown to the other side nor posted in the pair's space: only the member
themselves (their reply) and the admins (export, digest aggregates) ever read it.
"""

from __future__ import annotations

from bot.circles.due import any_open
from bot.circles.goals import goal_summary
from bot.kernel.calendar import session_count, session_time
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted, FormValue
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Button, Buttons, Form, Header, Message, Option, Select, Text, TextInput
from bot.kernel.payload import Unavailable, id_and_index
from bot.kernel.planning import PlanContext
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.pairs.meetings import Build, dm_side
from bot.pairs.scope import PairRun, my_open_meeting, name_of, pair_of, pair_pass
from bot.sessions.timing import checkin_closes, checkin_due, is_pair_meeting, working_due
from storage.tables import Goal, Member, PairStatus

CHECKIN_FORM = "pair.checkin"
OPEN_ACTION = "pair_checkin.open"
MAX_PROGRESS = 300


def _goal_line(t: Translator, goal: Goal | None) -> str:
    # The circle check-in's own goal line, reused: one wording for "your goal" wherever members see it.
    return t("running.checkin.goal_reminder", goal=goal_summary(t, goal)) if goal else t("pair_running.no_goal")


def dm_message(t: Translator, run: PairRun, index: int, reader: Member, goal: Goal | None) -> Message:
    title = t("pair_running.checkin.title", meeting=index + 1)
    body = t("pair_running.checkin.dm", partner=name_of(run.partner_of(reader.id or 0)))
    private = t("pair_running.checkin.private")
    hint = _goal_line(t, goal)
    button = Buttons((Button(t("pair_running.checkin.button"), f"{OPEN_ACTION}:{run.pair.id}.{index}",
                             style="primary"),))
    return Message(text="\n".join([title, body, private, hint]),
                   blocks=(Header(title), Text(body), Text(private), Text(hint), button))


def _checkins(run: PairRun, index: int, goal: Goal | None) -> Build:
    def build(t: Translator, reader: Member | None) -> Message:
        assert reader is not None  # check-ins only ever go by DM
        return dm_message(t, run, index, reader, goal)

    return build


async def plan_pair_checkins(pc: PlanContext) -> int:
    """After each meeting, a DM to each side in their own working hours; stale when the next meeting starts."""
    windows = [(checkin_due(pc.program, i), checkin_closes(pc.program, i)) for i in range(session_count(pc.program))]
    if not any_open(pc.now, windows):
        return 0
    work = await pair_pass(pc)
    queued = 0
    for pair in work.pairs:
        for index, (due, stale) in enumerate(windows):
            if not is_pair_meeting(pair, pc.program, index):
                continue
            if pc.now < due:
                break  # a member's working-hours due time is never earlier than the meeting's end
            run = await work.run(pair)
            if run is None:
                break
            for member in run.members:
                goal = await pc.uow.running.goal(program_id=pc.program.id or 0, member_id=member.id or 0)
                local_due = working_due(member, due, fallback=pc.program.timezone)
                queued += await dm_side(
                    work, run, member, prefix="pair-checkin", kind="pair_checkin", index=index, due=local_due,
                    stale=stale, build=_checkins(run, index, goal))
    return queued


def _yes_no(t: Translator) -> tuple[Option, ...]:
    return (Option(t("running.checkin.yes"), "yes"), Option(t("running.checkin.no"), "no"))


def _usefulness(t: Translator) -> tuple[Option, ...]:
    return tuple(Option(t(f"running.checkin.useful_{n}"), str(n)) for n in range(1, 6))


async def _form(ctx: Ctx, run: PairRun, index: int) -> Form:
    answer = await ctx.uow.pair_running.checkin(pair_id=run.pair.id or 0, member_id=ctx.member_id,
                                                meeting_index=index)
    goal = await ctx.uow.running.goal(program_id=run.program.id or 0, member_id=ctx.member_id)
    intro = "\n".join([ctx.t("pair_running.checkin.private"), _goal_line(ctx.t, goal)])
    return Form(
        form_id=CHECKIN_FORM, title=ctx.t("pair_running.checkin.form_title", meeting=index + 1),
        submit=ctx.t("running.checkin.submit"), intro=intro, state=f"{run.pair.id}.{index}",
        inputs=(
            Select("met", ctx.t("pair_running.checkin.met", partner=name_of(run.partner_of(ctx.member_id))),
                   _yes_no(ctx.t), initial=("yes" if answer.met else "no") if answer else None),
            Select("usefulness", ctx.t("pair_running.checkin.usefulness"), _usefulness(ctx.t),
                   initial=str(answer.usefulness) if answer else None),
            TextInput("progress", ctx.t("pair_running.checkin.progress"), initial=answer.progress if answer else "",
                      optional=True, max_length=MAX_PROGRESS, placeholder=ctx.t("pair_running.checkin.progress_hint")),
        ),
    )


async def _meeting_of(ctx: Ctx, state: str) -> tuple[PairRun, int]:
    """Resolve "<pair>.<meeting>": the actor's own pair, a meeting of it whose check-in is open now."""
    pair_id, index = id_and_index(state)
    run = await pair_of(ctx, pair_id)
    program = run.program
    if not 0 <= index < session_count(program) or not is_pair_meeting(run.pair, program, index):
        raise Unavailable()
    started = session_time(program, index)
    ended_before = run.pair.status == PairStatus.ENDED and (run.pair.ended_at is None or run.pair.ended_at <= started)
    if ended_before or not started <= ctx.now < checkin_closes(program, index):
        raise UserError("pair_running.checkin.closed", meeting=index + 1)
    return run, index


async def open_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    run, index = await _meeting_of(ctx, arg)
    return [OpenForm(await _form(ctx, run, index))]


async def checkin_command(ctx: Ctx, args: str) -> list[Response]:
    run, index = await my_open_meeting(ctx)
    run, index = await _meeting_of(ctx, f"{run.pair.id}.{index}")
    return [OpenForm(await _form(ctx, run, index))]


def _value(values: dict[str, FormValue], name: str) -> str:
    value = values.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join((value or "").split())


async def submit_checkin(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    run, index = await _meeting_of(ctx, form.state)
    met, usefulness, progress = _value(form.values, "met"), _value(form.values, "usefulness"), _value(
        form.values, "progress")
    errors: dict[str, str] = {}
    if met not in ("yes", "no"):
        errors["met"] = ctx.t("running.error.choice")
    if usefulness not in {"1", "2", "3", "4", "5"}:
        errors["usefulness"] = ctx.t("running.error.choice")
    if len(progress) > MAX_PROGRESS:
        errors["progress"] = ctx.t("running.error.too_long", limit=MAX_PROGRESS)
    if errors:
        return [FormErrors(errors)]
    created = await ctx.uow.pair_running.save_checkin(values={
        "workspace_id": ctx.workspace_id, "program_id": run.program.id, "pair_id": run.pair.id,
        "member_id": ctx.member_id, "meeting_index": index, "met": met == "yes", "usefulness": int(usefulness),
        "progress": progress}, now=ctx.now)
    until = format_moment(checkin_closes(run.program, index), timezone=ctx.member.timezone, locale=ctx.t.locale)
    key = "pair_running.checkin.saved" if created else "pair_running.checkin.updated"
    # Only to the actor: nothing about the answer goes to the partner or the pair's space.
    return [Reply(Message(text=ctx.t(key, meeting=index + 1, until=until)), ephemeral=True)]
