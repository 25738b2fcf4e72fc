"""At a group's first session: an invitation to record its agreement, once per group, if it has none yet."""

from __future__ import annotations

from datetime import datetime

from bot.agreements.groups import Group, Kind, load_group
from bot.agreements.messages import invitation_message
from bot.kernel.calendar import group_timetable
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from bot.sessions.series import channel_translator
from storage.tables import Circle, CircleStatus, Member, Pair, Program, ProgramFormat

PREFIX = "agreement-invite"


def first_window(program: Program, unit: Circle | Pair) -> tuple[datetime, datetime] | None:
    """(start of the group's first session, start of its second): its first session after it was formed."""
    since = unit.created_at if isinstance(unit, Circle) else unit.started_at
    table = group_timetable(program, unit)
    times = [m for m in table.times() if m > since and m < table.cut]
    if not times:
        return None
    return times[0], times[1] if len(times) > 1 else table.cut


async def invite_to_agree(pc: PlanContext) -> int:
    """When a circle's or pair's first session starts, and until its second: record how you will meet."""
    units: list[Circle | Pair]
    if pc.program.format == ProgramFormat.CIRCLES:
        units = [c for c in await pc.uow.circles.of_program(workspace_id=pc.workspace_id,
                                                            program_id=pc.program.id or 0)
                 if c.status == CircleStatus.ACTIVE]
    else:
        units = list(await pc.uow.pairs.of_program(workspace_id=pc.workspace_id, program_id=pc.program.id or 0))
    due: list[tuple[Circle | Pair, datetime, datetime]] = []
    for unit in units:
        window = first_window(pc.program, unit)
        if window is not None and window[0] <= pc.now < window[1]:
            due.append((unit, *window))
    if not due:
        return 0  # most ticks: no group is in its first session
    agreed = await pc.uow.agreements.groups_of_program(program_id=pc.program.id or 0)
    queued = 0
    for unit, start, stale in due:
        kind: Kind = "circle" if isinstance(unit, Circle) else "pair"
        if f"{kind}:{unit.id}" in agreed:
            continue
        group = await load_group(pc, kind, unit.id or 0)
        if group is not None and group.members:
            queued += await _invite(pc, group, due=start, stale=stale)
    return queued


async def _invite(pc: PlanContext, group: Group, *, due: datetime, stale: datetime) -> int:
    key = f"{PREFIX}:{group.key}"
    moderator = next((m for m in group.members if m.id == group.moderator_id), None)
    space = group.space
    if space is not None and moderator is None:
        t = channel_translator(pc.workspace, group.members)
        return await _queue(pc, key, space, invitation_message(t, group, moderator=False), due, stale, None)
    readers = [moderator] if moderator is not None else group.members
    queued = 0
    for member in readers:
        t = Translator(resolve_locale(member.locale, pc.workspace.locale))
        queued += await _queue(pc, f"{key}:{member.id}", user_target(pc.workspace, member.external_id),
                               invitation_message(t, group, moderator=moderator is not None), due, stale, member)
    return queued


async def _queue(pc: PlanContext, key: str, target: Target, message: Message, due: datetime, stale: datetime,
                 member: Member | None) -> int:
    return int(await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind="agreement", target=target,
                             message=message, due_at=due, stale_at=stale, program_id=pc.program.id,
                             member_id=member.id if member else None))
