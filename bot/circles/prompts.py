"""Weekly discussion prompts: one per session in the circle's channel, never repeated; moderators steer them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from bot.circles.scope import CircleRun, circle_pass, my_circle, plan_circles, require_moderator
from bot.kernel.calendar import Timed, group_timetable, session_count, session_time, session_zone
from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import UserError
from bot.kernel.grammar import without_mentions
from bot.kernel.i18n import LOCALES, Translator, format_moment, resolve_locale
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.outbox import note_stale
from bot.kernel.planning import PlanContext
from bot.kernel.replies import Reply, Response
from bot.sessions.due_windows import due_state
from bot.sessions.prompt_library import family_for_theme
from bot.sessions.scripts import known_prompt, next_stage_prompt, prompt_by_id, script_for, stage_of
from bot.sessions.series import GroupPost, SeriesPass, Session, post_many
from bot.sessions.timing import prompt_due
from storage.tables import Circle, CirclePrompt, Member, Program, PromptStatus

MAX_CUSTOM = 500


def prompt_text(row: CirclePrompt, locale: str, program: Program | None = None) -> str:
    """A moderator's own text as written; a script or library prompt in `locale` (an admin's own script prompts
    need the program; without it the default scripts and the library are read)."""
    if row.custom_text is not None:
        return row.custom_text
    found = prompt_by_id(program, row.prompt_id) if program is not None else known_prompt(row.prompt_id)
    return found.in_locale(locale) if found else ""


async def circle_family(scope: Scope, circle: Circle, known: dict[str, Any] | None = None) -> str:
    """`known`: a planning pass's cache, so each theme is read and matched once per pass, not once per circle."""
    known = {} if known is None else known
    key = f"family:{circle.theme_id}" if circle.theme_id else f"family:name:{circle.name}"
    if key not in known:
        theme = await scope.uow.themes.get(workspace_id=scope.workspace_id, theme_id=circle.theme_id or 0)
        known[key] = family_for_theme(theme.title if theme else circle.name)
    return str(known[key])


def upcoming_session(timed: Timed, rows: list[CirclePrompt], now: datetime) -> int | None:
    """The first session (of the circle's timetable) that has not started and whose prompt is not posted yet."""
    posted = {r.session_index for r in rows if r.status == PromptStatus.POSTED}
    for index in range(session_count(timed)):
        if session_time(timed, index) > now and index not in posted:
            return index
    return None


async def prompt_for_session(scope: Scope, circle: Circle, index: int, *, rows_read: list[CirclePrompt] | None = None,
                             known: dict[str, Any] | None = None) -> CirclePrompt | None:
    """The prompt assigned to a session, choosing it now if needed: the moderators' own first, then the library.

    The database arbitrates: a concurrent choice for the same session (or of the same prompt) leaves one row,
    and we read whichever won. `rows_read`: the circle's rows as a planner's pass read them for every circle at
    once (the first try only); `known`: that pass's cache (circle_family).
    """
    for attempt in range(3):
        rows = rows_read if attempt == 0 and rows_read is not None else await scope.uow.running.prompts_of_circle(
            circle_id=circle.id or 0)
        for row in rows:
            if row.session_index == index:
                return row
        queued = [r for r in rows if r.status == PromptStatus.QUEUED]
        if queued:
            chosen = queued[0]
            chosen.session_index, chosen.status = index, PromptStatus.ASSIGNED
            await scope.uow.running.assign_prompt(chosen)
            continue
        program = await _program_of(scope, circle)
        stage = stage_of(index, session_count(group_timetable(program, circle)))
        # The stage's prompts first; a long implementation stage goes on with the circle's theme family.
        prompt = next_stage_prompt(script_for(program), stage, used_ids={r.prompt_id for r in rows},
                                   seed=circle.id or 0, fallback=await circle_family(scope, circle, known))
        if prompt is None:
            return None  # every prompt of the family has been used in this circle
        await scope.uow.running.add_prompt(values={
            "workspace_id": circle.workspace_id, "program_id": circle.program_id, "circle_id": circle.id,
            "prompt_id": prompt.id, "session_index": index, "status": PromptStatus.ASSIGNED,
            "custom_text": None, "added_by_member_id": None, "created_at": scope.now})
    return None


async def _program_of(scope: Scope, circle: Circle) -> Program:
    program = getattr(scope, "program", None)
    if isinstance(program, Program) and program.id == circle.program_id:
        return program
    found = await scope.uow.programs.get(workspace_id=scope.workspace_id, program_id=circle.program_id)
    assert found is not None  # a circle's program is never deleted while the circle is read
    return found


def prompt_message(t: Translator, program: Program, row: CirclePrompt, index: int,
                   members: list[Member] | None = None, *, timed: Timed | None = None) -> Message:
    """The post in the circle's language; a circle whose members read both languages gets the prompt in both.
    The "when" line reads `timed`, the circle's own timetable (the program's when not given), in its zone."""
    text = prompt_text(row, t.locale, program)
    others = _other_locales(t.locale, members or [])
    if row.custom_text is None:
        text = "\n\n".join([text, *(prompt_text(row, locale, program) for locale in others)])
    title = t("running.prompt.title", session=index + 1)
    table = timed if timed is not None else program
    when = t("running.prompt.when", when=format_moment(session_time(table, index),
                                                         timezone=session_zone(table, index), locale=t.locale))
    return Message(text=f"{title}\n{text}\n{when}", blocks=(Header(title), Text(text), Context(when)))


def _other_locales(locale: str, members: list[Member]) -> list[str]:
    read = {resolve_locale(m.locale, locale) for m in members if not m.erased}
    return [other for other in LOCALES if other != locale and other in read]


async def plan_prompts(pc: PlanContext) -> int:
    """Each session's prompt a day before it, in the circle's channel; stale once the session starts.

    Set-based (issue 18: 15,000 circles due in one tick): the pass gathers every due session first, then chooses
    their prompts and queues their posts a few statements per 1,000 circles, not four round trips per circle."""
    due: list[Session[Circle]] = []

    async def gather(work: SeriesPass[Circle, CircleRun], s: Session[Circle]) -> int:
        if not work.planned(s.key):
            due.append(s)
        return 0

    await plan_circles(pc, prefix="prompt", due=prompt_due, stale=session_time, each=gather)
    return await _post_prompts(await circle_pass(pc), due) if due else 0


async def _post_prompts(work: SeriesPass[Circle, CircleRun], sessions: list[Session[Circle]]) -> int:
    pc = work.pc
    open_now: list[Session[Circle]] = []
    for s in sessions:
        run = await work.loaded(s.unit)
        if due_state(pc.now, due=s.due, stale=s.stale) == "stale":  # only noted: no prompt is used up
            await note_stale(pc, key=s.key, kind="prompt", target=run.target, due=s.due, stale=s.stale)
        else:
            open_now.append(s)
    if not open_now:
        return 0
    chosen = await _prompts_for(work, open_now)
    posts = [_post_of(pc, await work.loaded(s.unit), s, chosen[s.key]) for s in open_now if s.key in chosen]
    queued = await post_many(work, posts)
    posted = [chosen[key] for key in queued]
    await pc.uow.running.mark_prompts_posted(prompt_row_ids=[row.id or 0 for row in posted])
    for row in posted:  # most are detached values; a row the session holds then agrees with the database
        row.status = PromptStatus.POSTED
    return len(queued)


def _post_of(pc: PlanContext, run: CircleRun, s: Session[Circle], row: CirclePrompt) -> GroupPost:
    table = group_timetable(pc.program, s.unit)
    return GroupPost(target=run.target, members=run.members, key=s.key, kind="prompt", due=s.due, stale=s.stale,
                     build=lambda t: prompt_message(t, pc.program, row, s.index, run.members, timed=table))


async def _prompts_for(work: SeriesPass[Circle, CircleRun],
                       sessions: list[Session[Circle]]) -> dict[str, CirclePrompt]:
    """Each session's prompt by key, as `prompt_for_session` chooses it: new library choices go in one INSERT per
    1,000; the database still arbitrates (a row that loses to a concurrent choice is read again one circle at a
    time, as is a moderator's queued prompt)."""
    pc = work.pc
    read = await pc.uow.running.prompt_values_of_circles(circle_ids=sorted({s.unit.id or 0 for s in sessions}))
    chosen: dict[str, CirclePrompt] = {}
    fresh: list[tuple[Session[Circle], dict[str, Any]]] = []
    used: dict[int, set[str]] = {}
    for s in sessions:
        rows = read.get(s.unit.id or 0, [])
        held = next((CirclePrompt(**r) for r in rows if r["session_index"] == s.index), None)
        if held is None and not any(r["status"] == PromptStatus.QUEUED for r in rows):
            taken = used.setdefault(s.unit.id or 0, {r["prompt_id"] for r in rows})
            values = await _library_choice(pc, s, taken, work.cache)
            if values is not None:
                taken.add(values["prompt_id"])
                fresh.append((s, values))
            continue
        # A moderator's queued prompt is assigned as a command would, on the rows the session holds.
        row = held or await prompt_for_session(pc, s.unit, s.index, known=work.cache)
        if row is not None:
            chosen[s.key] = row
    won = {(c, i): new_id for new_id, c, i in await pc.uow.running.add_prompts([v for _, v in fresh])}
    for s, values in fresh:
        new_id = won.get((s.unit.id or 0, s.index))
        row = CirclePrompt(id=new_id, **values) if new_id is not None else await prompt_for_session(
            pc, s.unit, s.index, known=work.cache)
        if row is not None:
            chosen[s.key] = row
    return chosen


async def _library_choice(pc: PlanContext, s: Session[Circle], used_ids: set[str],
                          known: dict[str, Any]) -> dict[str, Any] | None:
    """The row `prompt_for_session` would add for a session without a prompt; None once the family is used up."""
    circle = s.unit
    stage = stage_of(s.index, session_count(group_timetable(pc.program, circle)))
    prompt = next_stage_prompt(script_for(pc.program), stage, used_ids=used_ids, seed=circle.id or 0,
                               fallback=await circle_family(pc, circle, known))
    if prompt is None:
        return None
    return {"workspace_id": circle.workspace_id, "program_id": circle.program_id, "circle_id": circle.id,
            "prompt_id": prompt.id, "session_index": s.index, "status": PromptStatus.ASSIGNED, "custom_text": None,
            "added_by_member_id": None, "created_at": pc.now}


async def _steered(ctx: Ctx) -> tuple[CircleRun, list[CirclePrompt], int]:
    run = await my_circle(ctx)
    await require_moderator(ctx, run)
    rows = await ctx.uow.running.prompts_of_circle(circle_id=run.circle.id or 0)
    index = upcoming_session(group_timetable(run.program, run.circle), rows, ctx.now)
    if index is None:
        raise UserError("running.prompt.no_more_sessions", circle=run.circle.name)
    return run, rows, index


def _describe(ctx: Ctx, run: CircleRun, row: CirclePrompt | None, index: int, *, intro_key: str) -> Reply:
    when = format_moment(prompt_due(group_timetable(run.program, run.circle), index), timezone=ctx.member.timezone,
                         locale=ctx.t.locale)
    intro = ctx.t(intro_key, session=index + 1, when=when, circle=run.circle.name)
    body = prompt_text(row, ctx.t.locale, run.program) if row else ctx.t("running.prompt.exhausted")
    hint = ctx.t("running.prompt.hint")
    return Reply(Message(text=f"{intro}\n{body}\n{hint}", blocks=(Text(intro), Text(body), Context(hint))))


async def prompt_next(ctx: Ctx, args: str) -> list[Response]:
    run, _, index = await _steered(ctx)
    row = await prompt_for_session(ctx, run.circle, index)
    return [_describe(ctx, run, row, index, intro_key="running.prompt.next")]


async def prompt_skip(ctx: Ctx, args: str) -> list[Response]:
    run, _, index = await _steered(ctx)
    row = await prompt_for_session(ctx, run.circle, index)
    if row is None:
        raise UserError("running.prompt.exhausted")
    row.status, row.session_index = PromptStatus.SKIPPED, None  # used up: this circle never sees it
    ctx.uow.running.save(row)
    await ctx.uow.flush()
    replacement = await prompt_for_session(ctx, run.circle, index)
    return [_describe(ctx, run, replacement, index, intro_key="running.prompt.skipped")]


async def prompt_add(ctx: Ctx, args: str) -> list[Response]:
    text = " ".join(without_mentions(args).split())  # posted to the circle later: no live mentions
    if len(text) < 3:
        raise UserError("running.prompt.add_usage")
    if len(text) > MAX_CUSTOM:
        raise UserError("running.prompt.too_long", limit=MAX_CUSTOM)
    run, rows, index = await _steered(ctx)
    await ctx.uow.running.add_prompt(values={
        "workspace_id": ctx.workspace_id, "program_id": run.program.id, "circle_id": run.circle.id,
        "prompt_id": f"custom-{uuid.uuid4().hex[:16]}", "session_index": None, "status": PromptStatus.QUEUED,
        "custom_text": text, "added_by_member_id": ctx.member_id, "created_at": ctx.now})
    current = next((r for r in rows if r.session_index == index), None)
    if current is not None and current.custom_text is None:
        # "Used next": a library prompt not posted yet gives way, and stays available for later sessions.
        await ctx.uow.running.release_prompt(prompt_row_id=current.id or 0)
    await ctx.uow.flush()
    row = await prompt_for_session(ctx, run.circle, index)
    if row is not None and row.custom_text == text and row.added_by_member_id == ctx.member_id:
        return [_describe(ctx, run, row, index, intro_key="running.prompt.added")]
    waiting = [r for r in await ctx.uow.running.prompts_of_circle(circle_id=run.circle.id or 0)
               if r.status == PromptStatus.QUEUED]
    return [Reply(Message(text=ctx.t("running.prompt.queued", ahead=max(0, len(waiting) - 1))))]
