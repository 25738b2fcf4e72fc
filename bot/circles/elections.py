"""Moderator elections and rotations as the clock moves them: ballots, results, announcements."""

from __future__ import annotations

from datetime import timedelta

from bot.circles.moderators import ballot, rotation, tally
from bot.circles.orientation import orient_moderator
from bot.kernel.admins import admin_recipients
from bot.kernel.calendar import group_timetable, session_times
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from storage.tables import (
    Circle,
    CircleStatus,
    ElectionStatus,
    ModeratorMode,
)


async def plan_elections(pc: PlanContext) -> int:
    """Move elections on: nominations -> voting (post the ballot) -> result (or ask the admin to appoint)."""
    queued = 0
    circles = {c.id: c for c in await pc.uow.circles.of_program(workspace_id=pc.workspace.id or 0,
                                                               program_id=pc.program.id or 0)}
    t = Translator(resolve_locale(pc.workspace.locale))
    for election in await pc.uow.circles.open_elections():
        circle = circles.get(election.circle_id)
        if circle is None:
            continue
        target = Target.from_key(circle.space) if circle.space else None
        nominations = await pc.uow.circles.nominations(election_id=election.id or 0)
        if election.status == ElectionStatus.NOMINATING and pc.now >= election.nominations_close_at:
            standing = [n for n in nominations if not n.declined]
            if not standing:
                election.status = ElectionStatus.NEEDS_APPOINTMENT
                queued += await _ask_admin(pc, circle)
            else:
                election.status = ElectionStatus.VOTING
                members = {m.id: m for m in await pc.uow.members.many(
                    workspace_id=pc.workspace.id or 0, member_ids=[n.nominee_member_id for n in standing])}
                if target is not None:
                    queued += await _post(pc, target, f"ballot:{election.id}",
                                          ballot(t, election, [members[n.nominee_member_id] for n in standing], None))
            pc.uow.circles.add(election)
        elif election.status == ElectionStatus.VOTING and pc.now >= election.voting_closes_at:
            winner = tally(await pc.uow.circles.election_votes(election_id=election.id or 0), nominations)
            election.status, election.winner_member_id = ElectionStatus.CLOSED, winner
            circle.moderator_member_id = winner
            pc.uow.circles.add(election)
            pc.uow.circles.add(circle)
            member = await pc.uow.members.get(workspace_id=pc.workspace.id or 0, member_id=winner or 0)
            if member is not None:
                queued += await orient_moderator(pc, program=pc.program, circle=circle, member=member, how="elected")
            if target is not None and member is not None:
                queued += await _post(pc, target, f"elected:{election.id}", Message(
                    text=t("moderators.elected", name=member.name)))
    return queued


async def plan_rotation(pc: PlanContext) -> int:
    """Rotating mode: announce each session's moderator the day before."""
    if pc.program.moderator_mode != ModeratorMode.ROTATING:
        return 0
    queued = 0
    t = Translator(resolve_locale(pc.workspace.locale))
    for circle in await pc.uow.circles.of_program(workspace_id=pc.workspace.id or 0, program_id=pc.program.id or 0):
        memberships = await pc.uow.circles.memberships(circle_id=circle.id or 0)
        members = await pc.uow.members.many(workspace_id=pc.workspace.id or 0,
                                            member_ids=[m.member_id for m in memberships])
        if not members or not circle.space or circle.status != CircleStatus.ACTIVE:  # merged away: no sessions
            continue
        for index, moment in enumerate(session_times(group_timetable(pc.program, circle))):
            if moment - timedelta(days=1) <= pc.now < moment:
                chosen = rotation(members, index)
                circle.moderator_member_id = chosen.id
                pc.uow.circles.add(circle)
                # A member's first turn brings the orientation (its key holds the circle and member: once).
                queued += await orient_moderator(pc, program=pc.program, circle=circle, member=chosen, how="rotating")
                queued += await _post(pc, Target.from_key(circle.space), f"rotation:{circle.id}:{index}", Message(
                    text=t("moderators.rotation", name=chosen.name,
                           session=index + 1)))
    return queued


async def _post(pc: PlanContext, target: Target, key: str, message: Message) -> int:
    return int(await enqueue(pc.uow, workspace_id=pc.workspace.id or 0, key=key, kind="election", target=target,
                             message=message, due_at=pc.now, program_id=pc.program.id))


async def _ask_admin(pc: PlanContext, circle: Circle) -> int:
    """Ask every admin to appoint a moderator, each in their own language (the one recipient rule)."""
    queued = 0
    for admin, member in await admin_recipients(pc, config=pc.config):
        t = Translator(resolve_locale(member.locale if member else None, pc.workspace.locale))
        queued += await enqueue(pc.uow, workspace_id=pc.workspace.id or 0, key=f"appoint:{circle.id}:{admin}",
                                kind="admin", target=user_target(pc.workspace, admin), due_at=pc.now,
                                program_id=pc.program.id, member_id=member.id if member else None,
                                message=Message(text=t("moderators.needs_appointment", circle=circle.name,
                                                       id=circle.id)))
    return queued
