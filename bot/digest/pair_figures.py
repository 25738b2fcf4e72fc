"""What pairs did, for the admin digest and the export: pairs active, never met, at risk, ended this week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.digest.activity import RECENT, Attention, SessionAt, WeekRates, program_week, sessions_of
from bot.kernel.calendar import group_timetable
from bot.kernel.timetable import Timetable
from bot.sessions.timing import paused_on
from storage.tables import Pair, PairCheckIn, PairStatus, PausePeriod, Program, ProgramFormat
from storage.uow import UnitOfWork

WEEK = timedelta(days=7)
NEVER_MET_AFTER = 2  # meetings held without a single "we met" from either side
MISSED_IN_A_ROW = 2
LOW_USEFULNESS = 2  # both sides rated the latest meeting they both answered this low or lower


@dataclass(frozen=True)
class PairFigures:
    active: int
    never_met: int  # at risk too: a pair that never met has missed its meetings
    at_risk: int
    ended_this_week: int
    weeks: dict[int, WeekRates] = field(default_factory=dict)  # program week -> its pair meetings (for the chart)
    attention: tuple[Attention, ...] = ()  # pairs by number: not met, check-ins stopped

    def snapshot(self) -> dict[str, int]:
        return {"pairs_active": self.active, "pairs_never_met": self.never_met, "pairs_at_risk": self.at_risk,
                "pairs_ended": self.ended_this_week}


def _meetings(pair: Pair, table: Timetable) -> list[SessionAt]:
    """The pair's meetings: sessions of its timetable after it was formed (timing.is_pair_meeting)."""
    return [s for s in sessions_of(table) if s.time > pair.started_at]


def _missed(meeting: SessionAt, answers: list[PairCheckIn], pauses: list[PausePeriod]) -> bool | None:
    """A meeting nobody said "we met" about is missed; None when a side was away (paused), so it never counts."""
    if any(a.met for a in answers if a.meeting_index == meeting.index):
        return False
    if paused_on(pauses, meeting.day):
        return None
    return True


def _never_met(meetings: list[SessionAt], answers: list[PairCheckIn], now: datetime) -> bool:
    held = [m for m in meetings if m.due <= now]
    return len(held) >= NEVER_MET_AFTER and not any(a.met for a in answers)


def _at_risk(meetings: list[SessionAt], pair: Pair, answers: list[PairCheckIn], pauses: list[PausePeriod],
             now: datetime, *, ratings_usable: bool) -> bool:
    """Meetings are the pair's own (its timetable): missed ones in a row, or both sides rating the latest low."""
    closed = [m for m in meetings if m.closes <= now]
    counted = [m for m in (_missed(meeting, answers, pauses) for meeting in closed) if m is not None]
    if len(counted) >= MISSED_IN_A_ROW and all(counted[-MISSED_IN_A_ROW:]):
        return True
    if not ratings_usable:
        return False
    both = sorted({a.meeting_index for a in answers if a.member_id == pair.mentor_member_id}
                  & {a.meeting_index for a in answers if a.member_id == pair.mentee_member_id})
    if not both:
        return False
    latest = [a for a in answers if a.meeting_index == both[-1]]
    return all(a.usefulness <= LOW_USEFULNESS for a in latest)


def _by_pair(answers: list[PairCheckIn]) -> dict[int, list[PairCheckIn]]:
    """Answers grouped once, in their order (each pair scanned every answer of the program before)."""
    grouped: dict[int, list[PairCheckIn]] = {}
    for answer in answers:
        grouped.setdefault(answer.pair_id, []).append(answer)
    return grouped


async def pair_figures(uow: UnitOfWork, program: Program, *, now: datetime, k: int) -> PairFigures | None:
    """None for circle programs. Counts only: which pair, and what either side answered, stays out of the digest."""
    if program.format == ProgramFormat.CIRCLES:
        return None
    pairs = await uow.pairs.of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                       active_only=False)
    active = [p for p in pairs if p.status == PairStatus.ACTIVE and p.started_at <= now]
    answers = await uow.pair_running.checkins_of_pairs(pair_ids=[p.id or 0 for p in active])
    # Usefulness is an answer: it may flag a pair only when at least K people answered in the program,
    # so a count of "low usefulness" pairs never stands for one or two identifiable people.
    ratings_usable = len({a.member_id for a in answers}) >= k
    people = sorted({m for p in active for m in (p.mentor_member_id, p.mentee_member_id)})
    pauses: dict[int, list[PausePeriod]] = {}
    for period in await uow.running.pauses_of(workspace_id=program.workspace_id, member_ids=people):
        pauses.setdefault(period.member_id, []).append(period)
    by_pair = _by_pair(answers)
    # Each pair's timetable and meetings once: the chart's weeks and the attention list use them too.
    tables = {pair.id: group_timetable(program, pair) for pair in active}
    meetings = {pair.id: _meetings(pair, tables[pair.id]) for pair in active}
    never_met = at_risk = 0
    for pair in active:
        mine = by_pair.get(pair.id or 0, [])
        away = pauses.get(pair.mentor_member_id, []) + pauses.get(pair.mentee_member_id, [])
        never_met += _never_met(meetings[pair.id], mine, now)
        at_risk += _at_risk(meetings[pair.id], pair, mine, away, now, ratings_usable=ratings_usable)
    ended = [p for p in pairs if p.status == PairStatus.ENDED and p.ended_at is not None
             and now - WEEK <= p.ended_at < now]
    return PairFigures(active=len(active), never_met=never_met, at_risk=at_risk, ended_this_week=len(ended),
                       weeks=pair_weeks(program, active, answers, now, tables=tables, meetings=meetings),
                       attention=_attention(active, by_pair, pauses, now, meetings=meetings))


def pair_weeks(program: Program, pairs: list[Pair], answers: list[PairCheckIn], now: datetime, *,
               tables: dict[int | None, Timetable], meetings: dict[int | None, list[SessionAt]]
               ) -> dict[int, WeekRates]:
    """Program week -> the pairs' meetings held by now, those either side said they met at, and check-ins (two
    asked per meeting)."""
    weeks: dict[int, WeekRates] = {}
    by_meeting: dict[tuple[int, int], list[PairCheckIn]] = {}
    for answer in answers:
        by_meeting.setdefault((answer.pair_id, answer.meeting_index), []).append(answer)
    for pair in pairs:
        table = tables[pair.id]
        for meeting in (m for m in meetings[pair.id] if m.due <= now):
            mine = by_meeting.get((pair.id or 0, meeting.index), [])
            met = any(a.met for a in mine)
            closed = meeting.closes <= now
            if not (met or closed):  # as for circles: answers still coming in are not yet a zero
                continue
            week = weeks.setdefault(program_week(program, table, meeting.index), WeekRates())
            week.meetings += 1
            week.pairs_met += met
            if closed:
                week.checkins += len(mine)
                week.expected += 2
    return weeks


def _attention(pairs: list[Pair], by_pair: dict[int, list[PairCheckIn]], pauses: dict[int, list[PausePeriod]],
               now: datetime, *, meetings: dict[int | None, list[SessionAt]]) -> tuple[Attention, ...]:
    """Pairs whose latest two meetings nobody said they met at (a side away does not count), or whose check-ins
    stopped. By the pair's number only: who they are stays in the export's pairs.csv (its pair_id), and ratings stay
    out (they count only from K)."""
    flagged: list[tuple[Pair, tuple[str, ...]]] = []  # active pairs, in the order the program formed them
    for pair in pairs:
        mine = by_pair.get(pair.id or 0, [])
        away = pauses.get(pair.mentor_member_id, []) + pauses.get(pair.mentee_member_id, [])
        recent = [m for m in meetings[pair.id] if m.due <= now][-RECENT:]
        missed = [_missed(meeting, mine, away) for meeting in recent]
        answered = {a.meeting_index for a in mine}
        reasons = []
        if len(recent) == RECENT and all(missed):  # None (away) is falsy: a pause never flags a pair
            reasons.append("not_met")
        if len(recent) == RECENT and answered and not answered & {m.index for m in recent}:
            reasons.append("checkins_stopped")
        if reasons:
            flagged.append((pair, tuple(reasons)))
    return tuple(Attention(name="", reasons=reasons, pair_id=pair.id) for pair, reasons in flagged)


PAIR_CHECKIN_HEADER = ("pair_id", "mentor", "mentee", "meeting", "member", "met", "usefulness", "progress")


async def pair_checkin_rows(uow: UnitOfWork, program: Program, names: dict[int, str]) -> list[list[object]]:
    """Every side's individual answers, for the admins' export only."""
    pairs = {p.id: p for p in await uow.pairs.of_program(workspace_id=program.workspace_id,
                                                         program_id=program.id or 0, active_only=False)}
    rows: list[list[object]] = []
    for answer in await uow.pair_running.checkins_of_pairs(pair_ids=sorted(p for p in pairs if p is not None)):
        pair = pairs[answer.pair_id]
        rows.append([answer.pair_id, names.get(pair.mentor_member_id, ""), names.get(pair.mentee_member_id, ""),
                     answer.meeting_index + 1, names.get(answer.member_id, ""), answer.met, answer.usefulness,
                     answer.progress])
    return rows
