"""Newcomers to a running circle program: placed in a circle with room that fits their themes and working hours, or
waiting in line (by when they joined) for one; a place that frees up goes to whoever has waited longest and fits.

Waiting is not a row of its own: an active enrollment with no active place in an active circle of the program
(never placed, waitlisted by self-select, in a circle that never launched, or back after leaving the program).
Someone who left their circle but stayed in the program chose to, and is not in line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.circles.fit import Fit, Newcomer, Opening, best_fits, why_of
from bot.circles.intake_messages import announce_place
from bot.kernel.availability import available_utc_hours
from bot.kernel.calendar import next_session, session_count, session_time
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
    meeting: datetime  # the next session (the last one once all have passed), UTC

    def has_room(self) -> bool:
        return any(o.size < self.program.size_max for o in self.openings.values())


@dataclass(frozen=True)
class Outcome:
    """Where one member ended up: a circle, or the reason they wait ("full", "hours", "theme")."""

    member: Member
    circle: Circle | None = None
    reason: str = ""


def meeting_moment(program: Program, now: datetime) -> datetime:
    upcoming = next_session(program, now)
    return upcoming[1] if upcoming else session_time(program, session_count(program) - 1)


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
                  prefs={m: tuple(t) for m, t in prefs.items()}, meeting=meeting_moment(program, scope.now))
    for circle_id, circle in circles.items():
        inside = [members[r.member_id] for r in placed if r.circle_id == circle_id and r.member_id in members]
        shared = frozenset(range(24))
        for member in inside:
            shared &= hours_of(member, board)
        board.openings[circle_id] = Opening(circle_id=circle_id, theme_id=circle.theme_id, size=len(inside),
                                            shared=shared if inside else frozenset(),
                                            departments=frozenset(m.department for m in inside))
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


async def place(scope: Scope, board: Board, member: Member) -> Outcome:
    """Put one member in the best circle that fits and has room (the database arbitrates the last place), and
    tell them and the circle; else the reason they wait."""
    newcomer = Newcomer(theme_prefs=board.prefs.get(member.id or 0, ()), hours=hours_of(member, board),
                        department=member.department)
    fits, reason = best_fits(newcomer, list(board.openings.values()), size_max=board.program.size_max,
                             meeting_hour=board.meeting.hour)
    for fit in fits:
        row = board.rows.get(member.id or 0)
        why = why_of(fit, newcomer)
        if await scope.uow.circles.take_place(
                workspace_id=scope.workspace_id, program_id=board.program.id or 0, circle_id=fit.opening.circle_id,
                member_id=member.id or 0, why=why, now=scope.now, size_max=board.program.size_max, replacing=row):
            circle = board.circles[fit.opening.circle_id]
            _taken(board, fit, newcomer)
            await announce_place(scope, board.program, circle, member, why)
            return Outcome(member=member, circle=circle)
        await refresh(scope, board)  # someone else took that place (or placed this member) meanwhile
        if is_placed(board, member.id or 0):
            return Outcome(member=member, circle=board.circles[board.rows[member.id or 0].circle_id])
    return Outcome(member=member, reason=reason or "full")


def _taken(board: Board, fit: Fit, newcomer: Newcomer) -> None:
    was = fit.opening
    board.openings[was.circle_id] = Opening(
        circle_id=was.circle_id, theme_id=was.theme_id, size=was.size + 1,
        shared=(was.shared & newcomer.hours) if was.size else newcomer.hours,
        departments=was.departments | {newcomer.department})


async def refresh(scope: Scope, board: Board) -> None:
    fresh = await load_board(scope, board.program)
    board.openings, board.rows, board.circles = fresh.openings, fresh.rows, fresh.circles


async def fill_places(scope: Scope, program: Program) -> list[Outcome]:
    """Give free places to the waiting, longest waiting first, each where they fit; returns who was placed."""
    if program.format != ProgramFormat.CIRCLES or program.state != ProgramState.RUNNING:
        return []
    enrolled = await scope.uow.enrollments.count_active(workspace_id=scope.workspace_id, program_id=program.id or 0)
    taken, circles = await scope.uow.circles.placed_count(program_id=program.id or 0)
    if enrolled <= taken or taken >= circles * program.size_max:
        return []  # nobody without a place, or no room anywhere: most ticks end here, at two counts
    board = await load_board(scope, program)
    line = await waiting_line(scope, board) if board.has_room() else []
    members = {m.id: m for m in await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                             member_ids=[e.member_id for e in line])}
    placed = []
    for enrollment in line:
        member = members.get(enrollment.member_id)
        if not board.has_room():
            break
        if member is None or member.erased:
            continue
        outcome = await place(scope, board, member)
        if outcome.circle is not None:
            placed.append(outcome)
    return placed


async def position_in_line(scope: Scope, board: Board, member_id: int) -> int:
    line = [e.member_id for e in await waiting_line(scope, board)]
    return line.index(member_id) + 1 if member_id in line else len(line) + 1
