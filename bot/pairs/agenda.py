"""The day before a pair meeting: the stage and its prompt, and for each side only their own agenda.

Check-ins and goals are private to each side: a side's agenda reads that side's goal and last check-in note and
goes to that side alone, by DM. The stage's guidance line is for the mentor, who leads the meeting (in reverse
mentoring, the junior colleague).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.kernel.calendar import session_count, session_time, session_zone
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.planning import PlanContext
from bot.pairs.scope import PairRun
from bot.sessions.scripts import prompt_by_id, script_for, stage_of
from bot.sessions.timing import pair_meetings, zone
from storage.tables import Goal, Member, PairPrompt


class Note(Protocol):
    """What an agenda reads of a check-in: a PairCheckIn, or a PairNote read for many pairs at once."""

    @property
    def member_id(self) -> int: ...

    @property
    def meeting_index(self) -> int: ...

    @property
    def progress(self) -> str: ...


def meeting_stage(run: PairRun, index: int) -> str:
    """The stage of session `index` counted among the pair's own meetings on its own timetable: a pair formed late,
    or one that agreed to meet less often, still starts with orientation and ends with reflection."""
    own = run.timetable
    meetings = pair_meetings(run.pair, own)
    if index in meetings:
        return stage_of(meetings.index(index), len(meetings))
    return stage_of(index, session_count(own))


def agenda_key(key: str, member: Member) -> str:
    return f"{key}:agenda:{member.id}"


def _prompt_text(run: PairRun, row: PairPrompt | None, locale: str) -> str:
    found = prompt_by_id(run.program, row.prompt_id) if row is not None else None
    return found.in_locale(locale) if found else ""


def _when(t: Translator, run: PairRun, index: int, reader: Member | None) -> str:
    own = run.timetable
    where = session_zone(own, index) if reader is None else zone(reader.timezone, fallback=run.program.timezone).key
    return t("pair_running.prompt.when", when=format_moment(session_time(own, index), timezone=where,
                                                            locale=t.locale))


def _title(t: Translator, run: PairRun, index: int, stage_id: str | None) -> str:
    stage = t(f"scripts.stage.{stage_id or meeting_stage(run, index)}")
    return t("scripts.agenda.title", title=t("pair_running.prompt.title", meeting=index + 1), stage=stage)


def shared_message(t: Translator, run: PairRun, row: PairPrompt | None, index: int, reader: Member | None, *,
                   stage: str | None = None) -> Message:
    """What both sides may read (the pair's space): the stage, the prompt, the time. `stage`: meeting_stage's
    answer when the caller has it (it walks the pair's timetable)."""
    title, text, when = _title(t, run, index, stage), _prompt_text(run, row, t.locale), _when(t, run, index, reader)
    return Message(text=f"{title}\n{text}\n{when}", blocks=(Header(title), Text(text), Context(when)))


async def agenda_message(pc: PlanContext, t: Translator, run: PairRun, row: PairPrompt | None, index: int,
                         reader: Member, *, shared: bool = False) -> Message:
    """`agenda_build` for one reader, reading their goal and the pair's check-ins now."""
    goal = await pc.uow.running.goal(program_id=run.program.id or 0, member_id=reader.id or 0)
    checkins = await pc.uow.pair_running.checkins_of_pairs(pair_ids=[run.pair.id or 0])
    return agenda_build(t, run, row, index, reader, goal=goal, checkins=checkins, shared=shared)


def agenda_build(t: Translator, run: PairRun, row: PairPrompt | None, index: int, reader: Member, *,
                 goal: Goal | None, checkins: Sequence[Note], shared: bool = False,
                 stage: str | None = None) -> Message:
    """One side's agenda: the prompt (unless the space has it), their own open goal and last check-in note, and
    for the mentor the stage's guidance. `goal`: the reader's in this program; `checkins`: the pair's, in
    meeting order (checkins_of_pairs or notes_of_pairs), read once for many agendas by the planner; `stage` as
    shared_message's."""
    stage_id = stage or meeting_stage(run, index)
    title = _title(t, run, index, stage_id) if not shared else t("scripts.agenda.private_title", meeting=index + 1)
    lines = [] if shared else [_prompt_text(run, row, t.locale)]
    lines += _own_lines(t, index, reader, goal, checkins)
    if reader.id == run.mentor.id:
        guidance = script_for(run.program).stage(stage_id).guidance_in(t.locale)
        lines.append(t("scripts.agenda.guidance", guidance=guidance))
    when = _when(t, run, index, reader)
    body = "\n".join(line for line in lines if line)
    return Message(text=f"{title}\n{body}\n{when}", blocks=(Header(title), Text(body), Context(when)))


def _own_lines(t: Translator, index: int, reader: Member, goal: Goal | None, checkins: Sequence[Note]) -> list[str]:
    """The reader's own goal and the progress note of their own latest check-in before this meeting."""
    lines: list[str] = []
    if goal is None:
        lines.append(t("scripts.agenda.no_goal"))
    elif goal.progress < 100:
        lines.append(t("scripts.agenda.goal", goal=goal.specific, progress=goal.progress))
    mine = [c for c in checkins if c.member_id == reader.id and c.meeting_index < index and c.progress.strip()]
    if mine:
        lines.append(t("scripts.agenda.followup", note=mine[-1].progress.strip()))
    return lines
