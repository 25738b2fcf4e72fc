"""Before each pair meeting: its prompt a day ahead and a reminder an hour ahead, in the pair's space or by DM."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.circles.due import any_open, due_state
from bot.circles.scope import channel_translator
from bot.kernel.calendar import session_count, session_time
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.outbox import enqueue, note_stale, user_target
from bot.kernel.planning import PlanContext
from bot.pairs.scope import FAMILIES, PairPass, PairRun, name_of, pair_pass
from bot.sessions.prompt_library import next_prompt, prompts_for
from bot.sessions.timing import is_pair_meeting, is_paused, local_day, prompt_due, reminder_due, zone
from storage.tables import Member, PairPrompt

# Builds one message for a reader: None when it goes to the pair's space (both read it).
Build = Callable[[Translator, Member | None], Message]


async def send_to_pair(work: PairPass, run: PairRun, *, prefix: str, kind: str, index: int, due: datetime,
                       stale: datetime, build: Build) -> int:
    """One post in the pair's space, or (no space) one DM to each side; paused sides get no DM."""
    pc = work.pc
    space = run.space
    if space is not None:
        key = f"{prefix}:{run.pair.id}:{index}"
        if key in work.keys:
            return 0
        if due_state(pc.now, due=due, stale=stale) == "stale":
            await note_stale(pc, key=key, kind=kind, target=space, due=due, stale=stale)
            return 0
        t = channel_translator(pc.workspace, run.members)
        return int(await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind=kind, target=space,
                                 message=build(t, None), due_at=due, stale_at=stale, program_id=pc.program.id))
    queued = 0
    for member in run.members:
        queued += await dm_side(work, run, member, prefix=prefix, kind=kind, index=index, due=due, stale=stale,
                                build=build)
    return queued


async def dm_side(work: PairPass, run: PairRun, member: Member, *, prefix: str, kind: str, index: int,
                  due: datetime, stale: datetime, build: Build) -> int:
    pc = work.pc
    key = f"{prefix}:{run.pair.id}:{index}:{member.id}"
    if key in work.keys:
        return 0
    target = user_target(pc.workspace, member.external_id)
    state = due_state(pc.now, due=due, stale=stale)
    if state == "early":
        return 0
    if state == "stale":
        await note_stale(pc, key=key, kind=kind, target=target, due=due, stale=stale, member_id=member.id)
        return 0
    fallback = pc.program.timezone
    enrollment = run.enrollments.get(member.id or 0)
    if is_paused(enrollment, local_day(member, due, fallback=fallback)) or is_paused(
            enrollment, local_day(member, pc.now, fallback=fallback)):
        # Away for this meeting: nothing now and nothing to catch up on after they come back.
        await note_stale(pc, key=key, kind=kind, target=target, due=due, stale=stale, member_id=member.id,
                         reason="recipient paused")
        return 0
    t = Translator(resolve_locale(member.locale, pc.workspace.locale))
    return int(await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind=kind, target=target,
                             message=build(t, member), due_at=due, stale_at=stale, program_id=pc.program.id,
                             member_id=member.id))


def _zones(run: PairRun) -> list[str]:
    """The program's zone first, then each side's own zone when it differs."""
    found = [run.program.timezone]
    for member in run.members:
        name = zone(member.timezone, fallback=run.program.timezone).key
        if name not in found:
            found.append(name)
    return found


def _reader_zone(run: PairRun, reader: Member) -> str:
    return zone(reader.timezone, fallback=run.program.timezone).key


def reminder_message(t: Translator, run: PairRun, index: int, reader: Member | None) -> Message:
    moment = session_time(run.program, index)
    if reader is None:
        title = t("pair_running.reminder.title", meeting=index + 1, mentor=name_of(run.mentor),
                  mentee=name_of(run.mentee))
        times = "\n".join(f"• {name}: {format_moment(moment, timezone=name, locale=t.locale)}"
                          for name in _zones(run))
    else:
        title = t("pair_running.reminder.dm", meeting=index + 1,
                  partner=name_of(run.partner_of(reader.id or 0)))
        times = format_moment(moment, timezone=_reader_zone(run, reader), locale=t.locale)
    link = (t("pair_running.reminder.link", link=run.program.video_link) if run.program.video_link
            else t("pair_running.reminder.no_link"))
    return Message(text="\n".join([title, times, link]), blocks=(Header(title), Text(times), Context(link)))


def _reminders(run: PairRun, index: int) -> Build:
    return lambda t, reader: reminder_message(t, run, index, reader)


async def plan_pair_reminders(pc: PlanContext) -> int:
    """An hour before each meeting; stale once it starts."""
    windows = [(reminder_due(pc.program, i), session_time(pc.program, i)) for i in range(session_count(pc.program))]
    if not any_open(pc.now, windows):
        return 0
    work = await pair_pass(pc)
    queued = 0
    for pair in work.pairs:
        for index, (due, stale) in enumerate(windows):
            if not is_pair_meeting(pair, pc.program, index):
                continue
            if pc.now < due:
                break
            run = await work.run(pair)
            if run is None:
                break
            queued += await send_to_pair(work, run, prefix="pair-reminder", kind="pair_reminder", index=index,
                                         due=due, stale=stale,
                                         build=_reminders(run, index))
    return queued


async def prompt_for_meeting(pc: PlanContext, run: PairRun, index: int) -> PairPrompt | None:
    """The meeting's prompt, chosen once from the format's family; the database forbids repeats in a pair."""
    family = FAMILIES.get(run.program.format)
    if family is None:
        return None
    for _ in range(3):
        rows = await pc.uow.pair_running.prompts_of_pair(pair_id=run.pair.id or 0)
        for row in rows:
            if row.meeting_index == index:
                return row
        prompt = next_prompt(family=family, used_ids={r.prompt_id for r in rows}, seed=run.pair.id or 0)
        if prompt is None:
            return None  # every prompt of the family has been used by this pair
        await pc.uow.pair_running.add_prompt(values={
            "workspace_id": pc.workspace_id, "program_id": run.program.id, "pair_id": run.pair.id,
            "prompt_id": prompt.id, "meeting_index": index, "created_at": pc.now})
    return None


def prompt_message(t: Translator, run: PairRun, row: PairPrompt | None, index: int,
                   reader: Member | None) -> Message:
    family = FAMILIES[run.program.format]
    prompt = next((p for p in prompts_for(family=family) if row and p.id == row.prompt_id), None)
    text = prompt.in_locale(t.locale) if prompt else ""
    title = t("pair_running.prompt.title", meeting=index + 1)
    where = run.program.timezone if reader is None else _reader_zone(run, reader)
    when = t("pair_running.prompt.when", when=format_moment(session_time(run.program, index), timezone=where,
                                                            locale=t.locale))
    return Message(text=f"{title}\n{text}\n{when}", blocks=(Header(title), Text(text), Context(when)))


def _prompts(run: PairRun, row: PairPrompt | None, index: int) -> Build:
    return lambda t, reader: prompt_message(t, run, row, index, reader)


async def plan_pair_prompts(pc: PlanContext) -> int:
    """Each meeting's prompt the day before it; stale once it starts."""
    windows = [(prompt_due(pc.program, i), session_time(pc.program, i)) for i in range(session_count(pc.program))]
    if not any_open(pc.now, windows):
        return 0
    work = await pair_pass(pc)
    queued = 0
    for pair in work.pairs:
        for index, (due, stale) in enumerate(windows):
            if not is_pair_meeting(pair, pc.program, index):
                continue
            if pc.now < due:
                break
            run = await work.run(pair)
            if run is None:
                break
            keys = ({f"pair-prompt:{pair.id}:{index}"} if run.space else
                    {f"pair-prompt:{pair.id}:{index}:{m.id}" for m in run.members})
            if keys <= work.keys:
                continue
            row = None
            if due_state(pc.now, due=due, stale=stale) == "due":  # a stale meeting is only noted: no prompt used
                row = await prompt_for_meeting(pc, run, index)
                if row is None:
                    continue
            queued += await send_to_pair(
                work, run, prefix="pair-prompt", kind="pair_prompt", index=index, due=due, stale=stale,
                build=_prompts(run, row, index))
    return queued
