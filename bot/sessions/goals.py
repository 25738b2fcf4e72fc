"""SMART goals: set one per program, record progress, list them; check-ins remind members of theirs."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import FormSubmitted, FormValue
from bot.kernel.grammar import without_mentions
from bot.kernel.i18n import Translator
from bot.kernel.messages import DateInput, Fields, Form, Header, Message, Number, Text, TextInput
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.program_lookup import program_by_id
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.sessions.checkins import form_value, goal_summary
from bot.sessions.timing import format_day, local_day, parse_day
from storage.tables import Goal, GoalUpdate, Program, ProgramState

GOAL_FORM = "goal.set"
UPDATE_FORM = "goal.update"
SMART = ("specific", "measurable", "achievable", "relevant")
MAX_FIELD = 500
MAX_NOTE = 500
MAX_YEARS_AHEAD = 2
INLINE_UPDATE = re.compile(r"^(\d{1,3})\s*%?\s*(.*)$", re.DOTALL)


def today_for(ctx: Ctx) -> date:
    return local_day(ctx.member, ctx.now, fallback=ctx.workspace.timezone)


async def goal_program(ctx: Ctx) -> Program:
    """The circle's program (channel or the member's circle), else the latest program they are active in."""
    space = ctx.where.key() if ctx.where is not None and ctx.where.kind != "user" else None
    circle = await ctx.uow.circles.circle_of_actor(workspace_id=ctx.workspace_id, member_id=ctx.member_id,
                                                   space=space)
    if circle is not None:
        return circle[1]
    for enrollment in reversed(await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id,
                                                                   member_id=ctx.member_id)):
        found = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if found is not None and found.state != ProgramState.CLOSED:
            return found
    raise UserError("running.goal.no_program")


def goal_form(t: Translator, program: Program, goal: Goal | None, *, today: date) -> Form:
    inputs: list[TextInput | DateInput] = [
        TextInput(name, t(f"running.goal.{name}"), initial=getattr(goal, name) if goal else "", multiline=True,
                  max_length=MAX_FIELD, placeholder=t(f"running.goal.{name}_hint"))
        for name in SMART
    ]
    inputs.append(DateInput("due_on", t("running.goal.due_on"),
                            initial=goal.due_on if goal else today + timedelta(weeks=program.weeks)))
    return Form(form_id=GOAL_FORM, title=t("running.goal.form_title"), submit=t("running.goal.save"),
                intro=t("running.goal.form_intro", program=program.name), state=str(program.id),
                inputs=tuple(inputs))


def read_goal(t: Translator, values: dict[str, FormValue], *, today: date) -> tuple[dict[str, object], dict[str, str]]:
    fields: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name in SMART:
        text = form_value(values, name)
        if not text:
            errors[name] = t("running.error.required")
        elif len(text) > MAX_FIELD:
            errors[name] = t("running.error.too_long", limit=MAX_FIELD)
        fields[name] = text
    raw = form_value(values, "due_on")
    due = parse_day(raw) if raw else None
    if not raw:
        errors["due_on"] = t("running.error.required")
    elif due is None:
        errors["due_on"] = t("running.error.date")
    elif due <= today:
        errors["due_on"] = t("running.goal.error.past")
    elif due > today + timedelta(days=366 * MAX_YEARS_AHEAD):
        errors["due_on"] = t("running.goal.error.far", years=MAX_YEARS_AHEAD)
    fields["due_on"] = due
    return fields, errors


async def goal_set(ctx: Ctx, args: str) -> list[Response]:
    program = await goal_program(ctx)
    goal = await ctx.uow.running.goal(program_id=program.id or 0, member_id=ctx.member_id)
    return [OpenForm(goal_form(ctx.t, program, goal, today=today_for(ctx)))]


async def submit_goal(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    program = await program_by_id(ctx, form.state)
    await _require_enrolled(ctx, program)
    fields, errors = read_goal(ctx.t, form.values, today=today_for(ctx))
    if errors:
        return [FormErrors(errors)]
    created = await ctx.uow.running.save_goal(values={
        "workspace_id": ctx.workspace_id, "program_id": program.id, "member_id": ctx.member_id, **fields}, now=ctx.now)
    goal = await ctx.uow.running.goal(program_id=program.id or 0, member_id=ctx.member_id)
    assert goal is not None
    text = ctx.t("running.goal.saved" if created else "running.goal.changed", program=program.name)
    return [Reply(_goal_card(ctx.t, program, goal, [], intro=text))]


async def _require_enrolled(ctx: Ctx, program: Program) -> None:
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status != "active":
        raise UserError("running.goal.no_program")


async def _my_goal(ctx: Ctx) -> tuple[Program, Goal]:
    program = await goal_program(ctx)
    goal = await ctx.uow.running.goal(program_id=program.id or 0, member_id=ctx.member_id)
    if goal is None:
        raise UserError("running.goal.none", program=program.name)
    return program, goal


async def goal_update(ctx: Ctx, args: str) -> list[Response]:
    program, goal = await _my_goal(ctx)
    if args.strip():
        match = INLINE_UPDATE.match(without_mentions(args).strip())
        if match is None:
            raise UserError("running.goal.update_usage")
        return await _record(ctx, program, goal, match.group(1), match.group(2))
    return [OpenForm(Form(
        form_id=UPDATE_FORM, title=ctx.t("running.goal.update_title"), submit=ctx.t("running.goal.save"),
        intro=goal_summary(ctx.t, goal), state=str(goal.id),
        inputs=(Number("progress", ctx.t("running.goal.progress"), initial=goal.progress, min_value=0,
                       max_value=100),
                TextInput("note", ctx.t("running.goal.note"), optional=True, multiline=True, max_length=MAX_NOTE)),
    ))]


async def submit_update(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    goal_id = int_id(form.state)
    goal = next((g for g in await ctx.uow.running.goals_of_member(workspace_id=ctx.workspace_id,
                                                                   member_id=ctx.member_id)
                 if g.id == goal_id), None)  # only the actor's own goal
    if goal is None:
        raise Unavailable()
    program = await program_by_id(ctx, str(goal.program_id))
    try:
        return await _record(ctx, program, goal, form_value(form.values, "progress"), form_value(form.values, "note"))
    except UserError as error:
        if error.key == "running.goal.error.progress":
            return [FormErrors({"progress": ctx.t(error.key)})]
        return [FormErrors({"note": ctx.t(error.key, **error.params)})]


async def _record(ctx: Ctx, program: Program, goal: Goal, raw_progress: str, note: str) -> list[Response]:
    try:
        progress = int(raw_progress)
    except ValueError:
        raise UserError("running.goal.error.progress") from None
    if not 0 <= progress <= 100:
        raise UserError("running.goal.error.progress")
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise UserError("running.error.too_long", limit=MAX_NOTE)
    goal.progress, goal.updated_at = progress, ctx.now
    ctx.uow.running.save(goal)
    ctx.uow.running.save(GoalUpdate(workspace_id=ctx.workspace_id, goal_id=goal.id or 0, progress=progress,
                                    note=note, created_at=ctx.now))
    return [Reply(Message(text=ctx.t("running.goal.updated", progress=progress, program=program.name)))]


def _goal_card(t: Translator, program: Program, goal: Goal, updates: list[GoalUpdate], *, intro: str = "") -> Message:
    pairs = (
        *((t(f"running.goal.{name}"), str(getattr(goal, name))) for name in SMART),
        (t("running.goal.due_on"), format_day(goal.due_on, locale=t.locale)),
        (t("running.goal.progress"), f"{goal.progress}%"),
    )
    history = [t("running.goal.history_line", day=format_day(u.created_at.date(), locale=t.locale),
                 progress=u.progress, note=u.note or "-") for u in updates]
    blocks: list[Header | Text | Fields] = [Header(program.name)]
    if intro:
        blocks.append(Text(intro))
    blocks.append(Fields(pairs))
    if history:
        blocks.append(Text("\n".join(history)))
    lines = [intro] if intro else []
    lines += [program.name, *(f"{a}: {b}" for a, b in pairs), *history]
    return Message(text="\n".join(lines), blocks=tuple(blocks))


async def goal_list(ctx: Ctx, args: str) -> list[Response]:
    goals = await ctx.uow.running.goals_of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
    replies: list[Response] = []
    for goal in goals:
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=goal.program_id)
        if program is None or program.state == ProgramState.CLOSED:
            continue
        updates = await ctx.uow.running.goal_updates(goal_id=goal.id or 0)
        replies.append(Reply(_goal_card(ctx.t, program, goal, updates)))
    return replies or [Reply(Message(text=ctx.t("running.goal.none_yet")))]
