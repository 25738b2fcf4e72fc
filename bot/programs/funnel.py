"""A program's enrollment funnel for the admin dashboard: invited -> joined -> placed -> active, seats and waitlist.

Each step is a plain count of people read from the database (never a guess), and each is a subset of the one before:
- invited: everyone with an enrollment row in the program: people invited with `program invite` (whatever they
  answered) and people who asked to join on their own;
- joined: of those, everyone who said yes: active, waitlisted or since left;
- placed: of those, members with a place now: an active seat in an active circle, or an active pair;
- active: of those, members who took part in the last ACTIVE_WINDOW: attended a logged session, answered a
  circle or pair check-in (by when it was recorded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.tables import (
    CircleMemberStatus,
    CircleStatus,
    EnrollmentStatus,
    PairStatus,
    Program,
    ProgramFormat,
)
from storage.uow import UnitOfWork

ACTIVE_WINDOW = timedelta(days=14)  # the digest's "quiet" window: two weekly sessions
JOINED = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED, EnrollmentStatus.LEFT)


@dataclass(frozen=True)
class Funnel:
    invited: int
    joined: int
    placed: int
    active: int
    enrolled: int  # holding a seat now (status active)
    waitlisted: int
    declined: int
    left: int
    seats: int  # 0: no limit

    @property
    def steps(self) -> tuple[tuple[str, int], ...]:
        return (("invited", self.invited), ("joined", self.joined), ("placed", self.placed),
                ("active", self.active))


async def _placed(uow: UnitOfWork, program: Program, enrolled: set[int]) -> set[int]:
    """Enrolled members with a place now (a member who left keeps no place, whatever a stale row says)."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    if program.format == ProgramFormat.CIRCLES:
        open_circles = {c.id for c in await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)
                        if c.status == CircleStatus.ACTIVE}
        seated = {m.member_id for m in await uow.circles.of_program_members(workspace_id=workspace_id,
                                                                            program_id=program_id)
                  if m.status == CircleMemberStatus.ACTIVE and m.circle_id in open_circles}
        return seated & enrolled
    pairs = await uow.pairs.of_program(workspace_id=workspace_id, program_id=program_id, active_only=False)
    return {m for p in pairs if p.status == PairStatus.ACTIVE for m in (p.mentor_member_id, p.mentee_member_id)
            } & enrolled


async def _took_part(uow: UnitOfWork, program: Program, *, since: datetime) -> set[int]:
    """Members with a session attended, or a check-in answered, recorded since `since`."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    seen: set[int] = set()
    if program.format == ProgramFormat.CIRCLES:
        for circle in await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id):
            for log in await uow.running.logs_of_circle(circle_id=circle.id or 0):
                if log.created_at >= since:
                    seen.update(log.attendee_member_ids)
            seen.update(c.member_id for c in await uow.running.checkins_of_circle(circle_id=circle.id or 0)
                        if c.created_at >= since)
        return seen
    pairs = await uow.pairs.of_program(workspace_id=workspace_id, program_id=program_id, active_only=False)
    answers = await uow.pair_running.checkins_of_pairs(pair_ids=[p.id or 0 for p in pairs])
    return {a.member_id for a in answers if a.created_at >= since}


def _count(statuses: Iterable[str], wanted: str) -> int:
    return sum(1 for s in statuses if s == wanted)


async def program_funnel(uow: UnitOfWork, program: Program, *, now: datetime) -> Funnel:
    enrollments = await uow.enrollments.of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                                   active_only=False)
    statuses = [e.status for e in enrollments]
    joined = {e.member_id for e in enrollments if e.status in JOINED}
    current = {e.member_id for e in enrollments if e.status == EnrollmentStatus.ACTIVE}
    placed = await _placed(uow, program, current)
    active = placed & await _took_part(uow, program, since=now - ACTIVE_WINDOW)
    return Funnel(invited=len(enrollments), joined=len(joined), placed=len(placed), active=len(active),
                  enrolled=len(current), waitlisted=_count(statuses, EnrollmentStatus.WAITLISTED),
                  declined=_count(statuses, EnrollmentStatus.DECLINED), left=_count(statuses, EnrollmentStatus.LEFT),
                  seats=program.seats)
