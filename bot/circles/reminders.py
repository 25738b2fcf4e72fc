"""Meeting reminders: an hour before each session, in the channel, with the time in every member's zone."""

from __future__ import annotations

from datetime import datetime

from bot.circles.scope import CircleRun, plan_circles
from bot.kernel.calendar import group_timetable, session_time, session_zone
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.planning import PlanContext
from bot.sessions.series import SeriesPass, Session, post
from bot.sessions.timing import reminder_due, zone
from storage.tables import Circle, Program


def zones_of(program: Program, run: CircleRun, index: int = 0) -> list[str]:
    """The program's zone first, then each other zone a member lives in (no names: who is away stays private).
    A circle with its own time (formed around its members' hours) shows only its members' zones."""
    lived = list(dict.fromkeys(zone(m.timezone, fallback=program.timezone).key for m in run.members))
    own = zone(session_zone(group_timetable(program, run.circle), index), fallback=program.timezone).key
    if run.circle.schedule and own not in lived and lived:
        return lived
    return [own, *(name for name in lived if name != own)]


def reminder_message(t: Translator, program: Program, run: CircleRun, index: int, moment: datetime) -> Message:
    title = t("running.reminder.title", session=index + 1, circle=run.circle.name)
    times = "\n".join(f"• {name}: {format_moment(moment, timezone=name, locale=t.locale)}"
                      for name in zones_of(program, run, index))
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
    return await plan_circles(pc, prefix="reminder", due=reminder_due, stale=session_time, each=_remind)


async def _remind(work: SeriesPass[Circle, CircleRun], s: Session[Circle]) -> int:
    if work.planned(s.key):
        return 0
    run = await work.loaded(s.unit)
    return await post(work, target=run.target, members=run.members, key=s.key, kind="reminder", due=s.due,
                      stale=s.stale, build=lambda t: reminder_message(t, work.pc.program, run, s.index, s.stale))
