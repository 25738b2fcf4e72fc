"""The admin digest's figures: members, circles that met, attendance, check-ins, circles at risk, feedback."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest.activity import Activity, Attention, WeekRates, circle_attention, circle_weeks, summarise, tallies
from bot.digest.pair_figures import PairFigures, pair_figures
from bot.digest.spaces import MissingSpaces, missing_spaces
from bot.feedback.disclosure import PollSummary, RoundResults, disclose_breakdown, disclose_round, is_closed, k_of
from bot.feedback.schedule import POLL_KINDS, week_moment
from bot.kernel.config import CoreConfig
from bot.sessions.goal_trend import ALL_UPDATES, GroupGoals, aggregate
from storage.repositories.digest_reads import EnrollmentRow
from storage.tables import (
    Circle,
    CircleStatus,
    EnrollmentStatus,
    Goal,
    GoalUpdate,
    Poll,
    PollResponse,
    Program,
    ProgramState,
    Workspace,
)
from storage.uow import UnitOfWork

WEEK = timedelta(days=7)
QUIET = timedelta(days=14)  # a circle with no session logged for this long is at risk
GOAL_WEEKS = 4  # goals move slowly: a month shows a direction a single week would not
LOW_RATING = 3.0  # a circle whose mean satisfaction (closed round, at least K answers) is below this is at risk


@dataclass(frozen=True)
class AtRisk:
    circle: str
    reasons: tuple[str, ...]  # "quiet", "small", "low_rating"
    size: int


@dataclass(frozen=True)
class ProgramFigures:
    program_id: int
    name: str
    timezone: str  # the program's: when its rounds close is said in it
    size_min: int
    enrolled: int  # still in the program, paused or not
    active: int
    paused: int
    left: int
    circles: int
    activity: Activity
    at_risk: tuple[AtRisk, ...]
    feedback_round: Poll | None  # the latest round opened: its count and response rate
    feedback: RoundResults | None  # what may be seen of it (nothing but the count while open or below K)
    respondents: int
    invited: int
    published: RoundResults | None  # the latest closed round, whose figures are final: trends and risk use it
    enrolled_by_week: dict[int, int]  # program week (0-based) -> members enrolled at its end
    pairs: PairFigures | None = None  # pair programs only
    spaces: MissingSpaces = field(default_factory=lambda: MissingSpaces(circles=(), pairs=0, pairs_failed=0))
    k: int = 0  # the K its feedback is shown from (feedback.disclosure.k_of); 0: the digest's default
    goals: GroupGoals | None = None  # current members' goals in aggregate at the same K, over GOAL_WEEKS
    weeks: dict[int, WeekRates] = field(default_factory=dict)  # program week -> circles' and pairs' rates (chart)
    attention: tuple[Attention, ...] = ()  # circles (then pairs) to look at, and why

    @property
    def published_summary(self) -> PollSummary | None:
        return self.published.summary if self.published else None

    def snapshot(self) -> dict[str, Any]:
        """The figures next week's digest compares with."""
        return {
            "enrolled": self.enrolled, "active": self.active, "paused": self.paused, "left": self.left,
            "circles_met": self.activity.circles_met, "attendance_rate": self.activity.attendance_rate,
            "checkin_rate": self.activity.checkin_rate, "at_risk": len(self.at_risk),
            "satisfaction": self.published_summary.satisfaction if self.published_summary else None,
            "nps": self.published_summary.nps if self.published_summary else None,
            **(self.pairs.snapshot() if self.pairs else {}),
        }


@dataclass(frozen=True)
class Digest:
    week: str  # ISO week the digest is for, "2026-W03"
    since: datetime
    until: datetime
    programs: tuple[ProgramFigures, ...]
    previous: dict[int, dict[str, Any]]  # program id -> last week's snapshot
    failed: dict[str, int]  # delivery kind -> deliveries that gave up this week
    erasures: int
    late: dict[str, int] = field(default_factory=dict)  # delivery kind -> not sent this week: too late to be useful


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(week: str) -> str:
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return iso_week(monday - WEEK)


# Who held a place: invited, declined and waitlisted people never did, so they are neither enrolled nor left.
HELD_A_PLACE = (EnrollmentStatus.ACTIVE, EnrollmentStatus.LEFT)


def _enrolled_by(enrollments: list[EnrollmentRow], moments: list[datetime]) -> list[int]:
    """Members who held a place at each moment: joined by then and not yet left. Counted by bisection (a year of
    weeks times thousands of enrollments was a scan per week): gone = joined and left by then."""
    placed = [e for e in enrollments if e.status in HELD_A_PLACE]
    joined = sorted(e.joined_at for e in placed)
    gone = sorted(max(e.joined_at, e.left_at) for e in placed if e.left_at is not None)
    return [bisect_right(joined, moment) - bisect_right(gone, moment) for moment in moments]


async def program_figures(uow: UnitOfWork, program: Program, *, now: datetime, k: int,
                          invited: dict[int, int] | None = None) -> ProgramFigures:
    """`invited`: poll id -> invitations, counted for every program of a digest at once (build_digest)."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    today = now.astimezone(ZoneInfo(program.timezone)).date()
    enrollments = await uow.digest_reads.enrollments(workspace_id=workspace_id, program_id=program_id)
    current = [e for e in enrollments if e.status == EnrollmentStatus.ACTIVE]
    left = sum(1 for e in enrollments if e.status == EnrollmentStatus.LEFT)
    paused_ids = {e.member_id for e in current if e.paused_until is not None and e.paused_until >= today}
    paused = len(paused_ids)
    every_circle = await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)
    circles = [c for c in every_circle if c.status == CircleStatus.ACTIVE]
    members: dict[int, list[int]] = {c.id or 0: [] for c in circles}
    for circle_id, member_id in await uow.digest_reads.active_placements(workspace_id=workspace_id,
                                                                         program_id=program_id):
        if circle_id in members:  # one query, two columns
            members[circle_id].append(member_id)
    sizes = {circle_id: len(ids) for circle_id, ids in members.items()}
    # Paused members are asked nothing and expected nowhere: they count in the circle's size, not in the rates.
    available = {circle_id: len(set(ids) - paused_ids) for circle_id, ids in members.items()}
    runs = await tallies(uow, program, circles)
    activity = summarise(program, runs, sizes=available, since=now - WEEK, until=now)
    pairs = await pair_figures(uow, program, now=now, k=k)
    latest, answers, closed, closed_answers = await _latest_rounds(uow, program, now)
    if latest is not None and invited is None:
        invited = await uow.digest_reads.invited(workspace_id=workspace_id, poll_ids=[latest.id or 0])
    published = disclose_round(poll=closed, answers=closed_answers, k=k, now=now) if closed else None
    first = week_moment(program, 0)
    weeks = max(0, min(program.weeks - 1, (now - first) // WEEK)) if now >= first else -1
    by_week = dict(enumerate(_enrolled_by(enrollments, [min(now, week_moment(program, w) + WEEK)
                                                         for w in range(weeks + 1)])))
    return ProgramFigures(
        program_id=program_id, name=program.name, timezone=program.timezone, size_min=program.size_min,
        enrolled=len(current),
        active=len(current) - paused, paused=paused, left=left, circles=len(circles),
        activity=activity, at_risk=_at_risk(program, circles, sizes, activity, closed, closed_answers, now=now, k=k),
        feedback_round=latest, feedback=disclose_round(poll=latest, answers=answers, k=k, now=now) if latest else None,
        respondents=len(answers),
        invited=(invited or {}).get(latest.id or 0, 0) if latest else 0,
        published=published,
        enrolled_by_week=by_week,
        pairs=pairs,
        spaces=await missing_spaces(uow, program, circles=every_circle),
        k=k,
        goals=await _goals(uow, program_id=program_id, member_ids=[e.member_id for e in current],
                           since=now - GOAL_WEEKS * WEEK, k=k),
        weeks=_merged(circle_weeks(program, runs, sizes=available, until=now), pairs.weeks if pairs else {}),
        attention=circle_attention(program, runs, members=members, until=now) + (pairs.attention if pairs else ()),
    )


async def _goals(uow: UnitOfWork, *, program_id: int, member_ids: list[int], since: datetime, k: int) -> GroupGoals:
    """goal_trend.group_goals of the current members, their goals read by program in one query (one per member and
    program) rather than by 10,000 member ids; `aggregate` holds the K rule, as for every reader."""
    wanted = set(member_ids)
    goals = {g.member_id: g for g in await uow.digest_reads.goals(program_id=program_id) if g.member_id in wanted}
    updates = await uow.running.updates_of_goals(goal_ids=[g.id or 0 for g in goals.values()], limit=ALL_UPDATES)
    histories: list[tuple[Goal, Sequence[GoalUpdate]]] = [(goals[m], updates.get(goals[m].id or 0, []))
                                                          for m in sorted(wanted) if m in goals]
    return aggregate(histories, members=len(wanted), since=since, k=k)


def _merged(*parts: dict[int, WeekRates]) -> dict[int, WeekRates]:
    """Circles' and pairs' weeks in one (a program may have both only in tests, but adding is always right)."""
    merged: dict[int, WeekRates] = {}
    for part in parts:
        for week, rates in part.items():
            into = merged.setdefault(week, WeekRates())
            for one in fields(WeekRates):
                setattr(into, one.name, getattr(into, one.name) + getattr(rates, one.name))
    return dict(sorted(merged.items()))


async def _opened_rounds(uow: UnitOfWork, program: Program, now: datetime) -> list[Poll]:
    return [p for p in await uow.feedback.polls_of_program(workspace_id=program.workspace_id,
                                                           program_id=program.id or 0)
            if p.kind in POLL_KINDS and p.opens_at <= now]


async def _latest_rounds(uow: UnitOfWork, program: Program, now: datetime
                         ) -> tuple[Poll | None, list[PollResponse], Poll | None, list[PollResponse]]:
    """The latest round opened and the latest closed (the same one once it has closed), with their answers."""
    rounds = await _opened_rounds(uow, program, now)
    latest = rounds[-1] if rounds else None
    closed = next((p for p in reversed(rounds) if is_closed(p, now=now)), None)
    wanted = [p.id or 0 for p in (latest, closed) if p is not None]
    answers = await uow.feedback.responses(workspace_id=program.workspace_id, poll_ids=wanted)
    return (latest, [a for a in answers if latest and a.poll_id == latest.id],
            closed, [a for a in answers if closed and a.poll_id == closed.id])


def _at_risk(program: Program, circles: list[Circle], sizes: dict[int, int], activity: Activity,
             closed: Poll | None, answers: list[PollResponse], *, now: datetime, k: int) -> tuple[AtRisk, ...]:
    running_long_enough = now >= week_moment(program, 0) + QUIET
    # Circles of fewer than K answers never get a rating flag: that would expose them (see disclosure).
    by_circle = disclose_breakdown(poll=closed, answers=answers, k=k, now=now,
                                   group=lambda a: a.circle_id) if closed else {}
    flagged = []
    for circle in circles:
        circle_id = circle.id or 0
        reasons = []
        last = activity.last_session.get(circle_id)
        if running_long_enough and (last is None or last < now - QUIET):
            reasons.append("quiet")
        if sizes.get(circle_id, 0) < program.size_min:
            reasons.append("small")
        summary = by_circle.get(circle_id)
        if summary is not None and summary.satisfaction < LOW_RATING:
            reasons.append("low_rating")
        if reasons:
            flagged.append(AtRisk(circle.name, tuple(reasons), sizes.get(circle_id, 0)))
    return tuple(flagged)


async def build_digest(uow: UnitOfWork, workspace: Workspace, *, now: datetime, week: str,
                       config: CoreConfig) -> Digest:
    workspace_id = workspace.id or 0
    # Closing programs too: their final round is open, and the digest shows how it goes.
    programs = await uow.programs.in_states(workspace_id=workspace_id, states=(ProgramState.RUNNING,
                                                                             ProgramState.CLOSING))
    # Every program's latest round's invitations in one pass over the workspace's (a query per program read them all
    # each time: 10 x 240 ms at full size).
    latest = [rounds[-1].id or 0 for p in programs if (rounds := await _opened_rounds(uow, p, now))]
    invited = await uow.digest_reads.invited(workspace_id=workspace_id, poll_ids=latest)
    figures = tuple([await program_figures(uow, p, now=now, k=k_of(p, config.k_anonymity), invited=invited)
                     for p in programs])
    previous = {}
    for program in programs:
        snapshot = await uow.feedback.snapshot(program_id=program.id or 0, week=previous_week(week))
        if snapshot is not None:
            previous[program.id or 0] = dict(snapshot.figures)
    erasures = [e for e in await uow.audit.list(workspace_id=workspace_id, action="member.erased")
                if e.at >= now - WEEK]
    return Digest(week=week, since=now - WEEK, until=now, programs=figures, previous=previous,
                  failed=await uow.outbox.failed_by_kind(workspace_id=workspace_id, since=now - WEEK,
                                                           until=now),
                  erasures=len(erasures),
                  late=await uow.outbox.skipped_by_kind(workspace_id=workspace_id, since=now - WEEK, until=now,
                                                        reason="stale"))


async def keep_snapshots(uow: UnitOfWork, digest: Digest, *, workspace_id: int, now: datetime) -> None:
    for figures in digest.programs:
        await uow.feedback.keep_snapshot(workspace_id=workspace_id, program_id=figures.program_id, week=digest.week,
                                         figures=figures.snapshot(), now=now)
