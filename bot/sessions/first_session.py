"""Each placed member's first session, from their circle's or pair's own timetable: what the "before"
self-assessment must come ahead of (bot/sessions/timing.before_assessment_due)."""

from __future__ import annotations

from datetime import datetime

from bot.kernel.calendar import group_timetable, session_time
from bot.sessions.timing import first_session_from, pair_meetings
from storage.tables import CircleMemberStatus, Program
from storage.uow import UnitOfWork


def _earlier(found: dict[int, datetime], member_id: int, moment: datetime | None) -> None:
    if moment is not None and (member_id not in found or moment < found[member_id]):
        found[member_id] = moment


async def first_sessions(uow: UnitOfWork, program: Program) -> dict[int, datetime]:
    """member id -> their first session (a late joiner's: the first after they were placed); three queries."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    circles = {c.id: c for c in await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)}
    found: dict[int, datetime] = {}
    for row in await uow.circles.of_program_members(workspace_id=workspace_id, program_id=program_id):
        circle = circles.get(row.circle_id)
        if circle is not None and row.status == CircleMemberStatus.ACTIVE:
            _earlier(found, row.member_id, first_session_from(group_timetable(program, circle), row.joined_at))
    for pair in await uow.pairs.of_program(workspace_id=workspace_id, program_id=program_id):
        table = group_timetable(program, pair)
        meetings = pair_meetings(pair, table)
        for member_id in (pair.mentor_member_id, pair.mentee_member_id):
            _earlier(found, member_id, session_time(table, meetings[0]) if meetings else None)
    return found
