"""Newcomers to a running circle program: placed in a circle with room that fits their themes and working hours, or
waiting in line (by when they joined) for one; a place that frees up goes to whoever has waited longest and fits.

Waiting is not a row of its own (bot/circles/board.py): an active enrollment with no active place in an active
circle of the program (never placed, waitlisted by self-select, in a circle that never launched, or back after
leaving the program). Someone who left their circle but stayed in the program chose to, and is not in line."""

from __future__ import annotations

from dataclasses import dataclass

from bot.circles.board import Board, hours_of, is_placed, load_board, waiting_line
from bot.circles.fit import Fit, Newcomer, Opening, best_fits, why_of
from bot.circles.intake_messages import announce_place
from bot.kernel.context import Scope
from bot.kernel.org_records import kept_apart
from storage.tables import (
    Circle,
    Member,
    Program,
    ProgramFormat,
    ProgramState,
)


@dataclass(frozen=True)
class Outcome:
    """Where one member ended up: a circle, or the reason they wait ("full", "hours", "theme")."""

    member: Member
    circle: Circle | None = None
    reason: str = ""


async def place(scope: Scope, board: Board, member: Member) -> Outcome:
    """Put one member in the best circle that fits and has room (the database arbitrates the last place), and
    tell them and the circle; else the reason they wait."""
    newcomer = Newcomer(theme_prefs=board.prefs.get(member.id or 0, ()), hours=hours_of(member, board),
                        department=member.department, apart_from=_apart_from(board, member))
    fits, reason = best_fits(newcomer, list(board.openings.values()), size_max=board.program.size_max,
                             meeting_hour=board.meeting.hour)
    for fit in fits:
        row = board.rows.get(member.id or 0)
        why = why_of(fit, newcomer)
        if await scope.uow.circles.take_place(
                workspace_id=scope.workspace_id, program_id=board.program.id or 0, circle_id=fit.opening.circle_id,
                member_id=member.id or 0, why=why, now=scope.now, size_max=board.program.size_max, replacing=row):
            circle = board.circles[fit.opening.circle_id]
            _taken(board, fit, newcomer, member)
            await announce_place(scope, board.program, circle, member, why)
            return Outcome(member=member, circle=circle)
        await refresh(scope, board)  # someone else took that place (or placed this member) meanwhile
        if is_placed(board, member.id or 0):
            return Outcome(member=member, circle=board.circles[board.rows[member.id or 0].circle_id])
    return Outcome(member=member, reason=reason or "full")


def _apart_from(board: Board, member: Member) -> frozenset[int]:
    """Who the org data keeps this member apart from among the placed (their manager, their manager's other
    reports, their team where the program excludes it): placement avoids those circles when another fits."""
    pairs = kept_apart([*board.people.values(), member], same_team=board.program.exclude_same_team)
    return frozenset(other for pair in pairs if member.id in pair for other in pair if other != member.id)


def _taken(board: Board, fit: Fit, newcomer: Newcomer, member: Member) -> None:
    was = fit.opening
    board.openings[was.circle_id] = Opening(
        circle_id=was.circle_id, theme_id=was.theme_id, size=was.size + 1,
        shared=(was.shared & newcomer.hours) if was.size else newcomer.hours,
        departments=was.departments | {newcomer.department}, members=was.members | {member.id or 0},
        meeting_hour=was.meeting_hour)
    board.people[member.id or 0] = member


async def refresh(scope: Scope, board: Board) -> None:
    fresh = await load_board(scope, board.program)
    board.openings, board.rows, board.circles, board.people = fresh.openings, fresh.rows, fresh.circles, fresh.people
    board.meetings = fresh.meetings


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
