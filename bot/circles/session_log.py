"""Session logs: moderators record attendance and outcomes; members read their circle's history."""

from __future__ import annotations

from bot.circles.scope import CircleRun, load_circle, my_circle, require_moderator
from bot.kernel.calendar import group_timetable, session_count, session_time
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import FormSubmitted
from bot.kernel.messages import Form, Message, MultiSelect, Option, Select, Text, TextInput
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.sessions.timing import format_day, session_day

LOG_FORM = "session.log"
SHOWN_SESSIONS = 12


def started_sessions(run: CircleRun, ctx: Ctx) -> list[int]:
    """Sessions of the circle's own timetable that have begun."""
    table = group_timetable(run.program, run.circle)
    return [i for i in range(session_count(table)) if session_time(table, i) <= ctx.now]


async def session_log(ctx: Ctx, args: str) -> list[Response]:
    run = await my_circle(ctx)
    await require_moderator(ctx, run)
    started = started_sessions(run, ctx)
    if not started:
        raise UserError("running.log.none_started", circle=run.circle.name)
    latest = started[-1]
    existing = await ctx.uow.running.log(circle_id=run.circle.id or 0, session_index=latest)
    if existing is not None:
        attended = {str(i) for i in existing.attendee_member_ids}
    else:  # start from what members said in their check-ins
        attended = {str(c.member_id) for c in await ctx.uow.running.checkins_of_circle(circle_id=run.circle.id or 0)
                    if c.session_index == latest and c.attended}
    people = tuple(Option(m.name, str(m.id)) for m in run.members)
    table = group_timetable(run.program, run.circle)
    sessions = tuple(Option(ctx.t("running.log.session_option", session=i + 1,
                                  day=format_day(session_day(table, i), locale=ctx.t.locale)), str(i))
                     for i in reversed(started[-SHOWN_SESSIONS:]))
    return [OpenForm(Form(
        form_id=LOG_FORM, title=ctx.t("running.log.title"), submit=ctx.t("running.log.submit"),
        intro=ctx.t("running.log.intro", circle=run.circle.name), state=str(run.circle.id),
        inputs=(
            Select("session", ctx.t("running.log.session"), sessions, initial=str(latest)),
            MultiSelect("attendees", ctx.t("running.log.attendees"), people,
                        initial=tuple(o.value for o in people if o.value in attended)),
            TextInput("outcomes", ctx.t("running.log.outcomes"), multiline=True,
                      initial=existing.outcomes if existing else "", max_length=ctx.services.config.max_free_text,
                      placeholder=ctx.t("running.log.outcomes_hint")),
        ),
    ))]


async def submit_log(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=int_id(form.state))
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id,
                                         program_id=circle.program_id) if circle else None
    if circle is None or program is None:
        raise Unavailable()
    run = await load_circle(ctx, circle, program)
    await require_moderator(ctx, run)
    errors: dict[str, str] = {}
    raw_session = form.values.get("session")
    raw_session = raw_session[0] if isinstance(raw_session, list) and raw_session else raw_session
    started = started_sessions(run, ctx)
    offered = {str(i): i for i in started}  # only a session the form offered: it has started
    index = offered.get(raw_session, -1) if isinstance(raw_session, str) else -1
    if index not in started:
        errors["session"] = ctx.t("running.error.choice")
    raw_people = form.values.get("attendees") or []
    chosen = [raw_people] if isinstance(raw_people, str) else list(raw_people)
    allowed = {str(m.id) for m in run.members}  # only the circle's members, as offered, never any member id
    if len(chosen) > len(allowed) or any(value not in allowed for value in chosen):
        errors["attendees"] = ctx.t("running.error.choice")
    raw_outcomes = form.values.get("outcomes")
    outcomes = (raw_outcomes if isinstance(raw_outcomes, str) else "").strip()
    if len(outcomes) > ctx.services.config.max_free_text:
        errors["outcomes"] = ctx.t("running.error.too_long", limit=ctx.services.config.max_free_text)
    if errors:
        return [FormErrors(errors)]
    attendees = sorted({int(v) for v in chosen})
    await ctx.uow.running.save_log(values={
        "workspace_id": ctx.workspace_id, "program_id": program.id, "circle_id": circle.id, "session_index": index,
        "attendee_member_ids": attendees, "outcomes": outcomes, "logged_by_member_id": ctx.member_id}, now=ctx.now)
    return [Reply(Message(text=ctx.t("running.log.saved", session=index + 1, count=len(attendees),
                                     total=len(run.members))))]


async def session_history(ctx: Ctx, args: str) -> list[Response]:
    run = await my_circle(ctx)
    logs = await ctx.uow.running.logs_of_circle(circle_id=run.circle.id or 0)
    if not logs:
        return [Reply(Message(text=ctx.t("running.log.empty", circle=run.circle.name)))]
    everyone = {m.id: m for m in await ctx.uow.members.many(
        workspace_id=ctx.workspace_id, member_ids=sorted({i for log in logs for i in log.attendee_member_ids}))}
    entries = []
    table = group_timetable(run.program, run.circle)
    for log in reversed(logs):
        names = ", ".join(everyone[i].name for i in log.attendee_member_ids
                          if i in everyone and not everyone[i].erased) or "-"
        head = ctx.t("running.log.entry", session=log.session_index + 1, count=len(log.attendee_member_ids),
                     day=format_day(session_day(table, log.session_index), locale=ctx.t.locale), names=names)
        entries.append(f"{head}\n{log.outcomes or ctx.t('running.log.no_outcomes')}")
    title = ctx.t("running.log.history_title", circle=run.circle.name)
    return [Reply(Message(text="\n\n".join([title, *entries]),
                          blocks=(Text(title), *(Text(e) for e in entries))))]
