"""Before each pair meeting: its prompt and each side's agenda a day ahead (bot/pairs/agenda.py) and a reminder an hour
ahead, in the pair's space or by DM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.kernel.calendar import session_time, session_zone
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.outbox import Outgoing, enqueue_many, user_target
from bot.kernel.planning import PlanContext
from bot.pairs.agenda import agenda_build, agenda_key, meeting_stage, shared_message
from bot.pairs.scope import FAMILIES, PairRun, pair_pass, plan_pairs
from bot.sessions.due_windows import due_state
from bot.sessions.scripts import next_stage_prompt, script_for
from bot.sessions.series import Build, GroupPost, SeriesPass, Session, dm_ready, post_many, reach
from bot.sessions.timing import prompt_due, reminder_due, zone
from storage.repositories.pair_running import PairNote
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
    """Each meeting's prompt the day before it, with each side's own agenda; stale once it starts.

    Set-based (issue 18: thousands of pairs due in one tick): the pass gathers the due meetings, chooses their
    prompts from one read of the pairs' prompt rows, reads the readers' goals and the pairs' check-ins once, and
    queues the posts and DMs a statement per 1,000, instead of eight to ten round trips per pair."""
    due: list[Session[Pair]] = []

    async def gather(work: SeriesPass[Pair, PairRun], s: Session[Pair]) -> int:
        due.append(s)
        return 0

    await plan_pairs(pc, prefix="pair-prompt", due=prompt_due, stale=session_time, each=gather)
    return await _send_prompts(await pair_pass(pc), due) if due else 0


@dataclass(frozen=True)
class _Agenda:
    """One side's DM that passed dm_ready: the prompt and agenda (by DM), or only the agenda (beside a space)."""

    s: Session[Pair]
    run: PairRun
    row: PairPrompt | None
    stage: str | None
    reader: Member
    key: str
    kind: str
    shared: bool


async def _send_prompts(work: SeriesPass[Pair, PairRun], sessions: list[Session[Pair]]) -> int:
    pc = work.pc
    todo: list[tuple[Session[Pair], PairRun]] = []
    for s in sessions:
        run = await work.run(s.unit)
        if run is not None and not _done(work, run, s.key):
            todo.append((s, run))
    # A stale meeting is only noted (post_many, dm_ready): no prompt is used up and no message built for it.
    open_now = [(s, run) for s, run in todo if due_state(pc.now, due=s.due, stale=s.stale) == "due"]
    stages = {s.key: meeting_stage(run, s.index) for s, run in open_now}  # walks the pair's timetable: once each
    chosen = await _prompts_for(work, open_now, stages)
    posts: list[GroupPost] = []
    agendas: list[_Agenda] = []
    for s, run in todo:
        row, stage = chosen.get(s.key), stages.get(s.key)
        if row is None and stage is not None:
            continue  # every prompt this pair could get has been used
        if run.space is not None:
            posts.append(_post_of(run, s, row, stage))
        kind, keyed = ("pair_prompt", _member_key) if run.space is None else ("pair_agenda", agenda_key)
        for member in run.members:
            key = keyed(s.key, member)
            if await dm_ready(work, run, member, key=key, kind=kind, due=s.due, stale=s.stale):
                agendas.append(_Agenda(s, run, row, stage, member, key, kind, shared=run.space is not None))
    queued = len(await post_many(work, posts))
    return queued + len(await enqueue_many(pc.uow, workspace_id=pc.workspace_id, program_id=pc.program.id,
                                           items=await _agenda_items(pc, agendas)))


def _member_key(key: str, member: Member) -> str:
    return f"{key}:{member.id}"


def _post_of(run: PairRun, s: Session[Pair], row: PairPrompt | None, stage: str | None) -> GroupPost:
    assert run.space is not None
    return GroupPost(target=run.space, members=run.members, key=s.key, kind="pair_prompt", due=s.due, stale=s.stale,
                     build=lambda t: shared_message(t, run, row, s.index, None, stage=stage))


async def _agenda_items(pc: PlanContext, agendas: list[_Agenda]) -> list[Outgoing]:
    """Each DM built as agenda_message would, from the readers' goals and the pairs' check-in notes read once
    (blank ones and those of later meetings left out in the query: agenda_build skips them anyway)."""
    if not agendas:
        return []
    goals = await pc.uow.running.goals_of_members(program_id=pc.program.id or 0,
                                                  member_ids=[a.reader.id or 0 for a in agendas])
    checkins: dict[int, list[PairNote]] = {}
    for c in await pc.uow.pair_running.notes_of_pairs(pair_ids=[a.run.pair.id or 0 for a in agendas],
                                                      before=max(a.s.index for a in agendas)):
        checkins.setdefault(c.pair_id, []).append(c)
    items: list[Outgoing] = []
    for a in agendas:
        t = Translator(resolve_locale(a.reader.locale, pc.workspace.locale))
        message = agenda_build(t, a.run, a.row, a.s.index, a.reader, goal=goals.get(a.reader.id or 0),
                               checkins=checkins.get(a.run.pair.id or 0, []), shared=a.shared, stage=a.stage)
        items.append(Outgoing(key=a.key, kind=a.kind, target=user_target(pc.workspace, a.reader.external_id),
                              message=message, due_at=a.s.due, stale_at=a.s.stale, member_id=a.reader.id))
    return items


async def _prompts_for(work: SeriesPass[Pair, PairRun], todo: list[tuple[Session[Pair], PairRun]],
                       stages: dict[str, str]) -> dict[str, PairPrompt]:
    """Each meeting's prompt by key, as `prompt_for_meeting` chooses it: new choices go in one INSERT per 1,000;
    the unique keys still arbitrate (a row that loses to a concurrent choice is read again one pair at a time)."""
    pc = work.pc
    if not todo:
        return {}
    read = await pc.uow.pair_running.prompts_of_pairs(pair_ids=[run.pair.id or 0 for _, run in todo])
    chosen: dict[str, PairPrompt] = {}
    fresh: list[tuple[Session[Pair], PairRun, dict[str, Any]]] = []
    used: dict[int, set[str]] = {}
    for s, run in todo:
        rows = read.get(run.pair.id or 0, [])
        held = next((r for r in rows if r["meeting_index"] == s.index), None)
        if held is not None:
            chosen[s.key] = PairPrompt(**held)
            continue
        taken = used.setdefault(run.pair.id or 0, {r["prompt_id"] for r in rows})
        prompt = next_stage_prompt(script_for(run.program), stages[s.key], used_ids=taken,
                                   seed=run.pair.id or 0, fallback=FAMILIES.get(run.program.format))
        if prompt is not None:
            taken.add(prompt.id)
            fresh.append((s, run, {"workspace_id": pc.workspace_id, "program_id": run.program.id,
                                   "pair_id": run.pair.id, "prompt_id": prompt.id, "meeting_index": s.index,
                                   "created_at": pc.now}))
    won = {(p, i): new_id for new_id, p, i in await pc.uow.pair_running.add_prompts([v for _, _, v in fresh])}
    for s, run, values in fresh:
        new_id = won.get((run.pair.id or 0, s.index))
        row = PairPrompt(id=new_id, **values) if new_id is not None else await prompt_for_meeting(pc, run, s.index)
        if row is not None:
            chosen[s.key] = row
    return chosen


def _done(work: SeriesPass[Pair, PairRun], run: PairRun, key: str) -> bool:
    agendas = run.space is None or all(work.planned(agenda_key(key, m)) for m in run.members)
    return work.reached(run, key) and agendas
