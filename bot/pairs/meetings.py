"""Before each pair meeting: its prompt and each side's agenda a day ahead (bot/pairs/agenda.py) and a reminder an hour
ahead, in the pair's space or by DM."""

from __future__ import annotations

from bot.kernel.calendar import session_time, session_zone
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.planning import PlanContext
from bot.pairs.agenda import agenda_key, agenda_message, meeting_stage, reach_each, shared_message
from bot.pairs.scope import FAMILIES, PairRun, plan_pairs
from bot.sessions.due_windows import due_state
from bot.sessions.scripts import next_stage_prompt, script_for
from bot.sessions.series import Build, SeriesPass, Session, reach
from bot.sessions.timing import prompt_due, reminder_due, zone
from storage.tables import Member, Pair, PairPrompt


def _zones(run: PairRun, index: int) -> list[str]:
    """The zone the pair's meeting is set in first, then each side's own zone when it differs."""
    found = [session_zone(run.timetable, index)]
    for member in run.members:
        name = zone(member.timezone, fallback=run.program.timezone).key
        if name not in found:
            found.append(name)
    return found


def _reader_zone(run: PairRun, reader: Member) -> str:
    return zone(reader.timezone, fallback=run.program.timezone).key


def reminder_message(t: Translator, run: PairRun, index: int, reader: Member | None) -> Message:
    moment = session_time(run.timetable, index)
    if reader is None:
        title = t("pair_running.reminder.title", meeting=index + 1, mentor=run.mentor.name,
                  mentee=run.mentee.name)
        times = "\n".join(f"• {name}: {format_moment(moment, timezone=name, locale=t.locale)}"
                          for name in _zones(run, index))
    else:
        title = t("pair_running.reminder.dm", meeting=index + 1,
                  partner=run.partner_of(reader.id or 0).name)
        times = format_moment(moment, timezone=_reader_zone(run, reader), locale=t.locale)
    link = (t("pair_running.reminder.link", link=run.program.video_link) if run.program.video_link
            else t("pair_running.reminder.no_link"))
    return Message(text="\n".join([title, times, link]), blocks=(Header(title), Text(times), Context(link)))


def _reminders(run: PairRun, index: int) -> Build:
    return lambda t, reader: reminder_message(t, run, index, reader)


async def plan_pair_reminders(pc: PlanContext) -> int:
    """An hour before each meeting; stale once it starts."""
    return await plan_pairs(pc, prefix="pair-reminder", due=reminder_due, stale=session_time, each=_remind)


async def _remind(work: SeriesPass[Pair, PairRun], s: Session[Pair]) -> int:
    run = await work.run(s.unit)
    if run is None:
        return 0  # a side is gone: nothing for this pair in this pass
    return await reach(work, run, key=s.key, kind="pair_reminder", due=s.due, stale=s.stale,
                       build=_reminders(run, s.index))


async def prompt_for_meeting(pc: PlanContext, run: PairRun, index: int) -> PairPrompt | None:
    """The meeting's prompt, chosen once by its stage from the program's script (the format's family when a long
    stage has used the script's prompts); the database forbids repeats in a pair."""
    for _ in range(3):
        rows = await pc.uow.pair_running.prompts_of_pair(pair_id=run.pair.id or 0)
        for row in rows:
            if row.meeting_index == index:
                return row
        prompt = next_stage_prompt(script_for(run.program), meeting_stage(run, index),
                                   used_ids={r.prompt_id for r in rows}, seed=run.pair.id or 0,
                                   fallback=FAMILIES.get(run.program.format))
        if prompt is None:
            return None  # every prompt this pair could get has been used
        await pc.uow.pair_running.add_prompt(values={
            "workspace_id": pc.workspace_id, "program_id": run.program.id, "pair_id": run.pair.id,
            "prompt_id": prompt.id, "meeting_index": index, "created_at": pc.now})
    return None


async def plan_pair_prompts(pc: PlanContext) -> int:
    """Each meeting's prompt the day before it, with each side's own agenda; stale once it starts."""
    return await plan_pairs(pc, prefix="pair-prompt", due=prompt_due, stale=session_time, each=_prompt)


async def _prompt(work: SeriesPass[Pair, PairRun], s: Session[Pair]) -> int:
    pc = work.pc
    run = await work.run(s.unit)
    if run is None or _done(work, run, s.key):
        return 0
    row = None
    if due_state(pc.now, due=s.due, stale=s.stale) == "due":  # a stale meeting is only noted: no prompt used
        row = await prompt_for_meeting(pc, run, s.index)
        if row is None:
            return 0
    if run.space is None:  # by DM: the prompt and the reader's own agenda in one message
        return await reach_each(work, run, key=s.key, kind="pair_prompt", due=s.due, stale=s.stale,
                                build=lambda t, reader: agenda_message(pc, t, run, row, s.index, reader))
    queued = await reach(work, run, key=s.key, kind="pair_prompt", due=s.due, stale=s.stale,
                         build=lambda t, reader: shared_message(t, run, row, s.index, reader))
    # The space is shared: what is private to each side (their goal, their last check-in) goes by DM.
    return queued + await reach_each(work, run, key=s.key, kind="pair_agenda", due=s.due, stale=s.stale,
                                     build=lambda t, reader: agenda_message(pc, t, run, row, s.index, reader,
                                                                            shared=True), keyed=agenda_key)


def _done(work: SeriesPass[Pair, PairRun], run: PairRun, key: str) -> bool:
    agendas = run.space is None or all(work.planned(agenda_key(key, m)) for m in run.members)
    return work.reached(run, key) and agendas
