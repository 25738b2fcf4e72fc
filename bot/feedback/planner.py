"""Planning feedback: invite members to the round that is open now, remind them of the final round, and send admins
the final report. The final round belongs to the closing phase, so these planners run for closing programs too."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.feedback import assessment, polls
from bot.feedback.commands import program_results
from bot.feedback.disclosure import k_of
from bot.feedback.results import round_label
from bot.feedback.schedule import ASSESSMENT_KINDS, Round, due_rounds, final_round
from bot.kernel.admins import admin_recipients
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Button, Buttons, Message, Text
from bot.kernel.outbox import Outgoing, enqueue, enqueue_many, user_target
from bot.kernel.planning import PlanContext, for_states
from bot.sessions.first_session import first_sessions
from bot.sessions.timing import before_assessment_due
from storage.tables import Enrollment, EnrollmentStatus, Member, Poll, PollKind, Program, ProgramState

REPORT_STALE = timedelta(days=3)  # a final report not sent within three days of the poll closing is not sent
REMIND_AFTER = timedelta(days=7)  # halfway through the final round, those who have not answered hear once more


def local_today(member: Member, fallback_zone: str, now: datetime) -> date:
    try:
        zone = ZoneInfo(member.timezone or fallback_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo(fallback_zone)
    return now.astimezone(zone).date()


@for_states(ProgramState.RUNNING, ProgramState.CLOSING)
async def plan_feedback(pc: PlanContext) -> int:
    """Polls and self-assessments: one DM per member and round, to everyone active in the program."""
    queued = 0
    for due in due_rounds(pc.program, pc.now):
        poll, _ = await pc.uow.feedback.ensure_poll(
            workspace_id=pc.workspace.id or 0, program_id=pc.program.id or 0, kind=due.kind, key=due.key,
            opens_at=due.opens_at, closes_at=due.closes_at, now=pc.now)
        queued += await _invite(pc, poll, due)
    return queued


def _askable(pc: PlanContext, member: Member | None, enrollment: Enrollment) -> bool:
    """Active, reachable and not paused today: paused members are not asked; `feedback` still lets them answer."""
    if member is None or member.erased or not member.reachable or enrollment.status != EnrollmentStatus.ACTIVE:
        return False
    today = local_today(member, pc.program.timezone, pc.now)
    return enrollment.paused_until is None or enrollment.paused_until < today


async def _invite(pc: PlanContext, poll: Poll, due: Round) -> int:
    workspace_id, program = pc.workspace.id or 0, pc.program
    # A round stays open for weeks and every tick comes here: members already invited are skipped on one read of
    # the round's keys, and the rest are queued in a few statements (issue 18: 10,000 members a program).
    planned = await pc.uow.outbox.planned_keys(program_id=program.id or 0, prefixes=(f"poll:{poll.id}:",))
    enrolled = await pc.uow.seat_reads.enrolled(workspace_id=workspace_id, program_id=program.id or 0)
    if all(f"poll:{poll.id}:{member_id}" in planned for member_id in enrolled):
        return 0  # every tick but the round's first: seen from two column reads, no rows loaded
    enrollments = [e for e in await pc.uow.enrollments.of_program(workspace_id=workspace_id,
                                                                  program_id=program.id or 0)
                   if f"poll:{poll.id}:{e.member_id}" not in planned]
    if not enrollments:
        return 0
    members = {m.id: m for m in await pc.uow.members.many(workspace_id=workspace_id,
                                                          member_ids=[e.member_id for e in enrollments])}
    # The "before" self-assessment goes only ahead of each member's own first session (bot/sessions/timing).
    firsts = await first_sessions(pc.uow, program) if due.kind == PollKind.BEFORE else {}
    items: list[Outgoing] = []
    for enrollment in enrollments:
        member = members.get(enrollment.member_id)
        first = firsts.get(enrollment.member_id)
        if not _askable(pc, member, enrollment) or not before_assessment_due(first, pc.now):
            continue
        assert member is not None
        t = Translator(resolve_locale(member.locale, pc.workspace.locale))
        message = (assessment.invitation(t, program, poll) if due.kind in ASSESSMENT_KINDS
                   else polls.invitation(t, program, poll, k=k_of(program, pc.config.k_anonymity)))
        items.append(Outgoing(key=f"poll:{poll.id}:{member.id}", kind="poll",
                              target=user_target(pc.workspace, member.external_id), message=message, due_at=pc.now,
                              member_id=member.id, stale_at=min(poll.closes_at, first or poll.closes_at)))
    return len(await enqueue_many(pc.uow, workspace_id=workspace_id, program_id=program.id, items=items))


@for_states(ProgramState.RUNNING, ProgramState.CLOSING)
async def plan_final_report(pc: PlanContext) -> int:
    """When the final poll closes, each admin gets the program's results and the before/after comparison."""
    final = final_round(pc.program)
    if not final.closes_at <= pc.now < final.closes_at + REPORT_STALE:
        return 0
    workspace_id = pc.workspace.id or 0
    queued = 0
    for admin, member in await admin_recipients(pc, config=pc.config):
        t = Translator(resolve_locale(member.locale if member else None, pc.workspace.locale))
        message = await program_results(pc.uow, t, program=pc.program, k=k_of(pc.program, pc.config.k_anonymity),
                                        admin=True, now=pc.now)
        queued += await enqueue(
            pc.uow, workspace_id=workspace_id, key=f"feedback-report:{pc.program.id}:{admin}", kind="report",
            target=user_target(pc.workspace, admin), message=message, due_at=pc.now, program_id=pc.program.id,
            member_id=member.id if member else None, stale_at=final.closes_at + REPORT_STALE)
    return queued


@for_states(ProgramState.CLOSING)
async def plan_final_reminder(pc: PlanContext) -> int:
    """A week into the closing phase, one reminder per round and member who has not answered the final poll or the
    after self-assessment yet (key `poll-reminder:<poll>:<member>`); it goes stale when the round closes."""
    final = final_round(pc.program)
    if not final.opens_at + REMIND_AFTER <= pc.now < final.closes_at:
        return 0
    workspace_id, program_id = pc.workspace_id, pc.program.id or 0
    rounds = [p for p in await pc.uow.feedback.polls_of_program(workspace_id=workspace_id, program_id=program_id)
              if p.kind in (PollKind.FINAL, PollKind.AFTER) and p.opens_at <= pc.now < p.closes_at]
    planned = await pc.uow.outbox.planned_keys(program_id=program_id, prefixes=("poll-reminder:",))
    answered: set[tuple[int, int]] = {(a.poll_id, a.member_id or 0) for a in await pc.uow.feedback.responses(
        workspace_id=workspace_id, poll_ids=[p.id or 0 for p in rounds])}
    answered |= {(a.poll_id, a.member_id or 0) for a in await pc.uow.feedback.assessments(
        workspace_id=workspace_id, program_id=program_id)}
    enrollments = await pc.uow.enrollments.of_program(workspace_id=workspace_id, program_id=program_id)
    members = {m.id: m for m in await pc.uow.members.many(workspace_id=workspace_id,
                                                          member_ids=[e.member_id for e in enrollments])}
    queued = 0
    for poll in rounds:
        for enrollment in enrollments:
            member = members.get(enrollment.member_id)
            key = f"poll-reminder:{poll.id}:{enrollment.member_id}"
            if key in planned or (poll.id, enrollment.member_id) in answered or not _askable(pc, member, enrollment):
                continue
            assert member is not None
            t = Translator(resolve_locale(member.locale, pc.workspace.locale))
            queued += await enqueue(
                pc.uow, workspace_id=workspace_id, key=key, kind="poll_reminder", due_at=pc.now,
                stale_at=poll.closes_at, message=reminder(t, pc.program, poll, zone=member.timezone),
                program_id=program_id, target=user_target(pc.workspace, member.external_id), member_id=member.id)
    return queued


def reminder(t: Translator, program: Program, poll: Poll, *, zone: str) -> Message:
    verb = assessment.OPEN_ASSESSMENT if poll.kind in ASSESSMENT_KINDS else polls.OPEN_POLL
    try:
        closes = format_moment(poll.closes_at, timezone=zone, locale=t.locale)
    except (KeyError, ValueError):
        closes = format_moment(poll.closes_at, timezone=program.timezone, locale=t.locale)
    text = t("closing.reminder", program=program.name, round=round_label(t, poll), closes=closes)
    return Message(text=text, blocks=(
        Text(text), Buttons((Button(t("closing.reminder_button"), f"{verb}:{poll.id}", style="primary"),))))
