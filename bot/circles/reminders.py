"""Meeting reminders: an hour before each session, in the channel, with the time in every member's zone."""

from __future__ import annotations

from datetime import datetime

from bot.circles.due import any_open, due_state, planning_pass
from bot.circles.scope import CircleRun, channel_translator
from bot.kernel.calendar import session_count, session_time
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.outbox import enqueue, note_stale
from bot.kernel.planning import PlanContext
from bot.sessions.timing import reminder_due, zone
from storage.tables import Program


def zones_of(program: Program, run: CircleRun) -> list[str]:
    """The program's zone first, then each other zone a member lives in (no names: who is away stays private)."""
    found = [program.timezone]
    for member in run.members:
        name = zone(member.timezone, fallback=program.timezone).key
        if name not in found:
            found.append(name)
    return found


def reminder_message(t: Translator, program: Program, run: CircleRun, index: int, moment: datetime) -> Message:
    title = t("running.reminder.title", session=index + 1, circle=run.circle.name)
    times = "\n".join(f"• {name}: {format_moment(moment, timezone=name, locale=t.locale)}"
                      for name in zones_of(program, run))
    blocks: list[Header | Text | Context] = [Header(title), Text(times)]
    lines = [title, times]
    if program.video_link:
        link = t("running.reminder.link", link=program.video_link)
        blocks.append(Text(link))
        lines.append(link)
    else:
        lines.append(t("running.reminder.no_link"))
        blocks.append(Context(lines[-1]))
    return Message(text="\n".join(lines), blocks=tuple(blocks))


async def plan_reminders(pc: PlanContext) -> int:
    windows = [(reminder_due(pc.program, i), session_time(pc.program, i)) for i in range(session_count(pc.program))]
    if not any_open(pc.now, windows):
        return 0
    queued = 0
    work = await planning_pass(pc)
    for circle in work.circles:
        for index, (due, stale) in enumerate(windows):
            key = f"reminder:{circle.id}:{index}"
            if key in work.keys or stale <= circle.created_at:
                continue
            state = due_state(pc.now, due=due, stale=stale)
            if state == "early":
                break
            run = await work.run(circle)
            if state == "stale":
                await note_stale(pc, key=key, kind="reminder", target=run.target, due=due, stale=stale)
                continue
            t = channel_translator(pc.workspace, run.members)
            queued += await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind="reminder",
                                    target=run.target, message=reminder_message(t, pc.program, run, index, stale),
                                    due_at=due, stale_at=stale, program_id=pc.program.id)
    return queued
