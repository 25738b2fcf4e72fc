"""What a program's members did, read once when it closes: attendance, goals, self-assessments, contributions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from bot.kernel.calendar import Timed, closing_start, group_timetable, session_count, session_time
from bot.sessions.goal_trend import ALL_UPDATES, goal_path
from bot.sessions.timing import pair_meetings
from storage.tables import (
    Circle,
    CircleMemberStatus,
    CircleStatus,
    Goal,
    Pair,
    PollKind,
    Program,
    ProgramFormat,
    SelfAssessment,
)
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Contribution:
    """What a moderator or a mentor made possible: the thank-you, the manager's note and the admins' list say it."""

    member_id: int
    role: str  # "moderator" | "mentor"
    circles: tuple[str, ...]  # the circles they moderated (moderators)
    sessions: int  # sessions they logged (moderators) / meetings they recorded as held (mentors)
    people: int  # members of their circles / their mentees
    checkins: int  # check-ins answered in their circles (moderators; pair check-ins stay private to each side)


@dataclass
class ProgramRecord:
    """One program's closing figures, by member id."""

    program: Program
    circles: list[Circle] = field(default_factory=list)
    circle_of: dict[int, Circle] = field(default_factory=dict)  # active members' circle
    paired: set[int] = field(default_factory=set)  # members who had a pair
    attended: dict[int, int] = field(default_factory=dict)
    held: dict[int, int] = field(default_factory=dict)  # sessions (or the pair's meetings) before the closing
    goals: dict[int, Goal] = field(default_factory=dict)
    goal_paths: dict[int, list[int]] = field(default_factory=dict)  # each goal's progress over time (goal_path)
    assessments: dict[int, dict[str, SelfAssessment]] = field(default_factory=dict)  # member -> phase -> answer
    contributions: dict[int, Contribution] = field(default_factory=dict)


def held_before(timed: Timed, end: datetime) -> list[int]:
    """The sessions (of the program, or of a group's own timetable) that took place before the closing began."""
    return [i for i in range(session_count(timed)) if session_time(timed, i) < end]


async def _circles(uow: UnitOfWork, record: ProgramRecord, only: int | None) -> None:
    program = record.program
    end = closing_start(program)
    record.circles = await uow.circles.of_program(workspace_id=program.workspace_id, program_id=program.id or 0)
    for circle in record.circles:
        rows = await uow.circles.memberships(circle_id=circle.id or 0, statuses=(CircleMemberStatus.ACTIVE,))
        members = [m.member_id for m in rows]
        since = {m.member_id: m.joined_at for m in rows}  # a late joiner's sessions start when they were placed
        moderates = circle.moderator_member_id is not None and only in (None, circle.moderator_member_id)
        if not moderates and (only is None or only not in members):
            continue
        logs = await uow.running.logs_of_circle(circle_id=circle.id or 0)
        checkins = await uow.running.checkins_of_circle(circle_id=circle.id or 0)
        if circle.status == CircleStatus.ACTIVE:
            table = group_timetable(program, circle)  # the circle's own sessions, agreed or the program's
            sessions = held_before(table, end)
            for member_id in members:
                came = {log.session_index for log in logs if member_id in log.attendee_member_ids}
                came |= {c.session_index for c in checkins if c.member_id == member_id and c.attended}
                record.circle_of[member_id] = circle
                theirs = {i for i in sessions if session_time(table, i) >= since[member_id]}
                record.attended[member_id] = len(came & theirs)
                record.held[member_id] = len(theirs)
        if moderates and circle.moderator_member_id is not None:
            _add(record, Contribution(circle.moderator_member_id, "moderator", (circle.name,), len(logs),
                                      len([m for m in members if m != circle.moderator_member_id]), len(checkins)))


async def _pairs(uow: UnitOfWork, record: ProgramRecord, only: int | None) -> None:
    program = record.program
    end = closing_start(program)
    pairs = [p for p in await uow.pairs.of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                                   active_only=False)
             if only is None or only in (p.mentor_member_id, p.mentee_member_id)]
    answers = await uow.pair_running.checkins_of_pairs(pair_ids=[p.id or 0 for p in pairs])
    met: dict[tuple[int, int], set[int]] = defaultdict(set)  # (pair, member) -> meetings they said were held
    for answer in answers:
        if answer.met:
            met[(answer.pair_id, answer.member_id)].add(answer.meeting_index)
    mentees: dict[int, set[int]] = defaultdict(set)
    meetings: dict[int, int] = defaultdict(int)
    for pair in pairs:
        table = group_timetable(program, pair)
        scheduled = [i for i in pair_meetings(pair, table) if session_time(table, i) < _ended(pair, end)]
        for member_id in (pair.mentor_member_id, pair.mentee_member_id):
            record.paired.add(member_id)
            record.held[member_id] = record.held.get(member_id, 0) + len(scheduled)
            record.attended[member_id] = record.attended.get(member_id, 0) + len(
                met[(pair.id or 0, member_id)] & set(scheduled))
        mentees[pair.mentor_member_id].add(pair.mentee_member_id)
        meetings[pair.mentor_member_id] += len(met[(pair.id or 0, pair.mentor_member_id)] & set(scheduled))
    for mentor, people in mentees.items():
        _add(record, Contribution(mentor, "mentor", (), meetings[mentor], len(people), 0))


def _ended(pair: Pair, end: datetime) -> datetime:
    return min(end, pair.ended_at) if pair.ended_at is not None else end


def _add(record: ProgramRecord, found: Contribution) -> None:
    """A moderator of two circles (after a merge) is one person with the sum of both."""
    before = record.contributions.get(found.member_id)
    if before is not None:
        found = Contribution(found.member_id, found.role, before.circles + found.circles,
                             before.sessions + found.sessions, before.people + found.people,
                             before.checkins + found.checkins)
    record.contributions[found.member_id] = found


async def program_record(uow: UnitOfWork, program: Program, *, member_ids: list[int],
                         only: int | None = None) -> ProgramRecord:
    """Everything the closing says about `member_ids` (or, with `only`, about one member and what they led)."""
    record = ProgramRecord(program=program)
    if program.format == ProgramFormat.CIRCLES:
        await _circles(uow, record, only)
    else:
        await _pairs(uow, record, only)
    for member_id in member_ids:
        goal = await uow.running.goal(program_id=program.id or 0, member_id=member_id)
        if goal is not None:
            record.goals[member_id] = goal
            updates = await uow.running.goal_updates(goal_id=goal.id or 0, limit=ALL_UPDATES)
            record.goal_paths[member_id] = goal_path(goal, updates)
    wanted = set(member_ids)
    for row in await uow.feedback.assessments(workspace_id=program.workspace_id, program_id=program.id or 0):
        if row.member_id in wanted and row.phase in (PollKind.BEFORE, PollKind.AFTER):
            record.assessments.setdefault(row.member_id or 0, {})[row.phase] = row
    return record
