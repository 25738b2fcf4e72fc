"""A running circle program's places as late-joiner placement reads them: its circles with room, who is placed,
who waits in line (by when they joined), and where a member stands in that line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.circles.fit import Opening
from bot.kernel.availability import available_utc_hours
from bot.kernel.calendar import Timed, group_timetable, next_session, session_count, session_time
from bot.kernel.context import Scope
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    Enrollment,
    Member,
    Program,
    ProgramFormat,
    ProgramState,
)


@dataclass
class Board:
    """A running program's circles as placement needs them, kept current as places are taken."""

    program: Program
    circles: dict[int, Circle]  # active circles
    openings: dict[int, Opening]
    rows: dict[int, CircleMember]  # member id -> their circle row in this program
    prefs: dict[int, tuple[int, ...]]  # member id -> the themes they voted for, in order
    meeting: datetime  # the program's next session (the last one once all have passed), UTC
    people: dict[int, Member] = field(default_factory=dict)  # the placed members, by id
    meetings: dict[int, datetime] = field(default_factory=dict)  # circle id -> its next session on its own time

    def has_room(self) -> bool:
        return any(o.size < self.program.size_max for o in self.openings.values())

    def next_meeting_with_room(self) -> datetime:
        """The soonest next session of a circle with room (what a member waiting for hours is told)."""
        return min((self.meetings[o.circle_id] for o in self.openings.values()
                    if o.size < self.program.size_max and o.circle_id in self.meetings), default=self.meeting)


def meeting_moment(timed: Timed, now: datetime) -> datetime:
    """The next session of the program's or a circle's timetable (the last one once all have passed)."""
    upcoming = next_session(timed, now)
    return upcoming[1] if upcoming else session_time(timed, session_count(timed) - 1)


def hours_of(member: Member, board: Board) -> frozenset[int]:
    """The UTC hours a member works on the meeting day, as formation reads them."""
    return available_utc_hours(member, board.meeting.astimezone(ZoneInfo(board.program.timezone)).date())


async def load_board(scope: Scope, program: Program) -> Board:
    circles = {c.id or 0: c for c in await scope.uow.circles.of_program(workspace_id=scope.workspace_id,
                                                                       program_id=program.id or 0)
               if c.status == CircleStatus.ACTIVE}
    rows = {r.member_id: r for r in await scope.uow.circles.of_program_members(workspace_id=scope.workspace_id,
                                                                               program_id=program.id or 0)}
    placed = [r for r in rows.values() if r.status == CircleMemberStatus.ACTIVE and r.circle_id in circles]
    members = {m.id: m for m in await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                             member_ids=[r.member_id for r in placed])}
    prefs: dict[int, list[int]] = {}
    for vote in await scope.uow.themes.votes_of_program(program_id=program.id or 0):
        prefs.setdefault(vote.member_id, []).append(vote.theme_id)
    board = Board(program=program, circles=circles, openings={}, rows=rows,
                  prefs={m: tuple(t) for m, t in prefs.items()}, meeting=meeting_moment(program, scope.now),
                  people={i: m for i, m in members.items() if i is not None})
    for circle_id, circle in circles.items():
        inside = [members[r.member_id] for r in placed if r.circle_id == circle_id and r.member_id in members]
        shared = frozenset(range(24))
        for member in inside:
            shared &= hours_of(member, board)
        meeting = meeting_moment(group_timetable(program, circle), scope.now)  # the circle's own slot, if any
        board.meetings[circle_id] = meeting
        board.openings[circle_id] = Opening(circle_id=circle_id, theme_id=circle.theme_id, size=len(inside),
                                            shared=shared if inside else frozenset(),
                                            departments=frozenset(m.department for m in inside),
                                            members=frozenset(m.id for m in inside if m.id is not None),
                                            meeting_hour=meeting.astimezone(ZoneInfo("UTC")).hour)
    return board


def is_placed(board: Board, member_id: int) -> bool:
    row = board.rows.get(member_id)
    return row is not None and row.status == CircleMemberStatus.ACTIVE and row.circle_id in board.circles


def is_waiting(board: Board, enrollment: Enrollment) -> bool:
    row = board.rows.get(enrollment.member_id)
    if row is None or row.status == CircleMemberStatus.WAITLISTED:
        return True
    if row.status == CircleMemberStatus.ACTIVE:
        return row.circle_id not in board.circles  # a self-select circle that never launched, or one that closed
    return row.left_at is not None and row.left_at < enrollment.joined_at  # left the program, then came back


async def waiting_line(scope: Scope, board: Board) -> list[Enrollment]:
    """Active enrollments without a place, longest waiting first."""
    enrollments = await scope.uow.enrollments.of_program(workspace_id=scope.workspace_id,
                                                         program_id=board.program.id or 0)
    return sorted((e for e in enrollments if is_waiting(board, e)), key=lambda e: (e.joined_at, e.id or 0))


async def position_in_line(scope: Scope, board: Board, member_id: int) -> int:
    line = [e.member_id for e in await waiting_line(scope, board)]
    return line.index(member_id) + 1 if member_id in line else len(line) + 1


async def waiting_places(scope: Scope, member_id: int) -> list[tuple[Program, int]]:
    """Each running circle program the member waits in for a place, with their number in line."""
    found = []
    for enrollment in await scope.uow.enrollments.of_member(workspace_id=scope.workspace_id, member_id=member_id):
        program = await scope.uow.programs.get(workspace_id=scope.workspace_id, program_id=enrollment.program_id)
        if program is None or program.state != ProgramState.RUNNING or program.format != ProgramFormat.CIRCLES:
            continue
        board = await load_board(scope, program)
        if is_waiting(board, enrollment):
            found.append((program, await position_in_line(scope, board, member_id)))
    return found
