"""One program at a glance for the admin dashboard: the digest's figures, each circle's health, themes and votes,
before/after, and what the rates chart plots.

Everything the digest says comes from the digest's own code (program_figures, circle_attention, plotted), and
feedback only through feedback.disclosure, so the page and the weekly DM can never disagree or leak more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.digest.activity import RECENT, CircleRecords, circle_attention, held, records, tally_of
from bot.digest.chart import Panel, Plotted, plotted
from bot.digest.figures import ProgramFigures, program_figures
from bot.feedback.disclosure import Evaluation, disclose_evaluation
from bot.kernel.calendar import group_timetable
from bot.sessions.timing import is_pair_meeting
from storage.tables import (
    CircleMemberStatus,
    CircleStatus,
    ModeratorMode,
    PairStatus,
    Program,
    ProgramFormat,
    ThemeStatus,
)
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class CircleHealth:
    circle_id: int
    name: str
    members: int  # active members
    held: int  # sessions over so far
    not_met_in_a_row: int  # the latest held sessions, counted back, that nobody logged or said they attended
    checkin_rate: float | None  # answers / asked over the held sessions; None before the first
    moderator: str  # "present", "missing", "not_needed" (the program has no moderators)
    members_at_risk: int  # members at none of the latest RECENT held sessions the circle met at
    reasons: tuple[str, ...]  # the digest's attention reasons for this circle ("not_met", ...)


@dataclass(frozen=True)
class PairHealth:
    """A pair by its number only, as the digest names it: who they are stays in the export."""

    pair_id: int
    held: int  # the pair's meetings over so far
    not_met_in_a_row: int  # the latest held meetings, counted back, that neither side said they met at
    checkin_rate: float | None  # answers / two asked per held meeting
    reasons: tuple[str, ...]  # the digest's attention reasons for this pair


@dataclass(frozen=True)
class ThemeVotes:
    title: str  # as a member typed it: the page escapes it
    status: str
    votes: int


@dataclass(frozen=True)
class ProgramOverview:
    figures: ProgramFigures  # the digest's, for the same moment and K
    circles: tuple[CircleHealth, ...]
    pairs: tuple[PairHealth, ...]
    themes: tuple[ThemeVotes, ...]
    evaluation: Evaluation  # before/after through the disclosure gate
    chart: Plotted | None  # what the digest's chart would plot for this program; None before anything was held


def _moderator(program: Program, run: CircleRecords, members: list[int]) -> str:
    if program.moderator_mode == ModeratorMode.NONE:
        return "not_needed"
    return "present" if run.circle.moderator_member_id in members else "missing"


def circle_health(program: Program, run: CircleRecords, members: list[int], *, now: datetime) -> CircleHealth:
    """One circle's health from its session logs and check-ins, by its own timetable."""
    sessions = held(group_timetable(program, run.circle), now)
    attended: dict[int, set[int]] = {i: set() for i in sessions}  # session -> members who came
    for log in run.logs:
        attended.setdefault(log.session_index, set()).update(log.attendee_member_ids)
    for answer in run.checkins:
        if answer.attended:
            attended.setdefault(answer.session_index, set()).add(answer.member_id)
    met = {log.session_index for log in run.logs} | {c.session_index for c in run.checkins if c.attended}
    in_a_row = next((n for n, i in enumerate(reversed(sessions)) if i in met), len(sessions))
    answers = sum(1 for c in run.checkins if c.session_index in set(sessions))
    asked = sum(max(len(members), sum(1 for c in run.checkins if c.session_index == i)) for i in sessions)
    recent = [i for i in sessions[-RECENT:] if i in met]
    at_risk = 0
    if len(sessions) >= RECENT and recent:  # a circle that did not meet at all is flagged as a circle instead
        at_risk = sum(1 for m in members if not any(m in attended[i] for i in recent))
    flagged = circle_attention(program, [tally_of(program, run)], members={run.circle.id or 0: members}, until=now)
    return CircleHealth(circle_id=run.circle.id or 0, name=run.circle.name, members=len(members),
                        held=len(sessions), not_met_in_a_row=in_a_row,
                        checkin_rate=round(min(1.0, answers / asked), 3) if asked else None,
                        moderator=_moderator(program, run, members), members_at_risk=at_risk,
                        reasons=flagged[0].reasons if flagged else ())


async def _pairs(uow: UnitOfWork, program: Program, figures: ProgramFigures, *, now: datetime
                 ) -> tuple[PairHealth, ...]:
    if program.format == ProgramFormat.CIRCLES:
        return ()
    pairs = [p for p in await uow.pairs.of_program(workspace_id=program.workspace_id, program_id=program.id or 0)
             if p.status == PairStatus.ACTIVE and p.started_at <= now]
    answers = await uow.pair_running.checkins_of_pairs(pair_ids=[p.id or 0 for p in pairs])
    reasons = {a.pair_id: a.reasons for a in figures.attention if a.pair_id is not None}
    health = []
    for pair in pairs:
        table = group_timetable(program, pair)
        meetings = [i for i in held(table, now) if is_pair_meeting(pair, table, i)]
        mine = [a for a in answers if a.pair_id == pair.id]
        met = {a.meeting_index for a in mine if a.met}
        in_a_row = next((n for n, i in enumerate(reversed(meetings)) if i in met), len(meetings))
        asked = 2 * len(meetings)
        answered = sum(1 for a in mine if a.meeting_index in set(meetings))
        health.append(PairHealth(pair_id=pair.id or 0, held=len(meetings), not_met_in_a_row=in_a_row,
                                 checkin_rate=round(min(1.0, answered / asked), 3) if asked else None,
                                 reasons=reasons.get(pair.id or 0, ())))
    return tuple(health)


async def _themes(uow: UnitOfWork, program: Program) -> tuple[ThemeVotes, ...]:
    """Themes still standing (merged ones counted into theirs), most votes first: counts only, never who."""
    themes = await uow.themes.of_program(workspace_id=program.workspace_id, program_id=program.id or 0)
    votes = await uow.themes.counts(program_id=program.id or 0)
    shown = [ThemeVotes(t.title, t.status, votes.get(t.id or 0, 0)) for t in themes if t.status != ThemeStatus.MERGED]
    return tuple(sorted(shown, key=lambda t: -t.votes))


async def program_overview(uow: UnitOfWork, program: Program, *, now: datetime, k: int) -> ProgramOverview:
    workspace_id, program_id = program.workspace_id, program.id or 0
    figures = await program_figures(uow, program, now=now, k=k)
    circles = [c for c in await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)
               if c.status == CircleStatus.ACTIVE]
    health = []
    for run in await records(uow, circles):
        members = [m.member_id for m in await uow.circles.memberships(circle_id=run.circle.id or 0,
                                                                      statuses=(CircleMemberStatus.ACTIVE,))]
        health.append(circle_health(program, run, members, now=now))
    rounds = await uow.feedback.polls_of_program(workspace_id=workspace_id, program_id=program_id)
    evaluation = disclose_evaluation(rounds=rounds, assessments=await uow.feedback.assessments(
        workspace_id=workspace_id, program_id=program_id), k=k, now=now)
    chart = plotted([Panel(program.name, figures.weeks)])
    return ProgramOverview(figures=figures, circles=tuple(health), pairs=await _pairs(uow, program, figures, now=now),
                           themes=await _themes(uow, program),
                           evaluation=evaluation, chart=chart[0] if chart else None)

