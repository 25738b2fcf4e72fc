"""Planning feedback: invite members to the round that is open now, and send admins the final report."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.feedback import assessment, polls
from bot.feedback.commands import program_results
from bot.feedback.schedule import ASSESSMENT_KINDS, Round, due_rounds, final_round
from bot.kernel.admins import admin_recipients
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.planning import PlanContext
from storage.tables import EnrollmentStatus, Member, Poll

REPORT_STALE = timedelta(days=3)  # a final report not sent within three days of the poll closing is not sent


def local_today(member: Member, fallback_zone: str, now: datetime) -> date:
    try:
        zone = ZoneInfo(member.timezone or fallback_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo(fallback_zone)
    return now.astimezone(zone).date()


async def plan_feedback(pc: PlanContext) -> int:
    """Polls and self-assessments: one DM per member and round, to everyone active in the program."""
    queued = 0
    for due in due_rounds(pc.program, pc.now):
        poll, _ = await pc.uow.feedback.ensure_poll(
            workspace_id=pc.workspace.id or 0, program_id=pc.program.id or 0, kind=due.kind, key=due.key,
            opens_at=due.opens_at, closes_at=due.closes_at, now=pc.now)
        queued += await _invite(pc, poll, due)
    return queued


async def _invite(pc: PlanContext, poll: Poll, due: Round) -> int:
    workspace_id, program = pc.workspace.id or 0, pc.program
    enrollments = await pc.uow.enrollments.of_program(workspace_id=workspace_id, program_id=program.id or 0)
    members = {m.id: m for m in await pc.uow.members.many(workspace_id=workspace_id,
                                                          member_ids=[e.member_id for e in enrollments])}
    queued = 0
    for enrollment in enrollments:
        member = members.get(enrollment.member_id)
        if member is None or member.erased or not member.reachable or enrollment.status != EnrollmentStatus.ACTIVE:
            continue
        if enrollment.paused_until is not None and enrollment.paused_until >= local_today(
                member, program.timezone, pc.now):
            continue  # paused members are not asked; `feedback` still lets them answer
        t = Translator(resolve_locale(member.locale, pc.workspace.locale))
        message = (assessment.invitation(t, program, poll) if due.kind in ASSESSMENT_KINDS
                   else polls.invitation(t, program, poll, k=pc.config.k_anonymity))
        queued += await enqueue(
            pc.uow, workspace_id=workspace_id, key=f"poll:{poll.id}:{member.id}", kind="poll",
            target=user_target(pc.workspace, member.external_id), message=message, due_at=pc.now,
            program_id=program.id, member_id=member.id, stale_at=poll.closes_at)
    return queued


async def plan_final_report(pc: PlanContext) -> int:
    """When the final poll closes, each admin gets the program's results and the before/after comparison."""
    final = final_round(pc.program)
    if not final.closes_at <= pc.now < final.closes_at + REPORT_STALE:
        return 0
    workspace_id = pc.workspace.id or 0
    queued = 0
    for admin, member in await admin_recipients(pc, config=pc.config):
        t = Translator(resolve_locale(member.locale if member else None, pc.workspace.locale))
        message = await program_results(pc.uow, t, program=pc.program, k=pc.config.k_anonymity, admin=True,
                                        now=pc.now)
        queued += await enqueue(
            pc.uow, workspace_id=workspace_id, key=f"feedback-report:{pc.program.id}:{admin}", kind="report",
            target=user_target(pc.workspace, admin), message=message, due_at=pc.now, program_id=pc.program.id,
            member_id=member.id if member else None, stale_at=final.closes_at + REPORT_STALE)
    return queued

