"""The end of the closing phase: when the final round closes, summaries, thanks, each circle's closing message and
the archiving of its channel, the admins' recognition list; then the program is closed. One delivery per key, so
planning twice, restarts and replicas send each once, and nothing is planned for the program once it is closed."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.closing.phase import active_people
from bot.closing.records import ProgramRecord, program_record
from bot.closing.report import Outcome, admin_closing, circle_closing
from bot.closing.summary import member_summary
from bot.closing.thanks import thank_you
from bot.feedback.disclosure import k_of
from bot.kernel.admins import admin_recipients
from bot.kernel.calendar import closing_end
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.payload import own_target
from bot.kernel.planning import PlanContext, for_states
from bot.kernel.spaces import queue_space_change, tell_admins
from bot.sessions.series import channel_translator
from storage.tables import CircleStatus, Member, Platform, PollKind, ProgramState

log = logging.getLogger(__name__)

LATE = timedelta(days=3)  # like the closing report: summaries days after the round closed would only confuse
SUMMARY_STALE = timedelta(days=7)  # a summary the platform could not take within a week is not sent
ARCHIVE_AFTER = timedelta(hours=1)  # the members read the closing message before their channel is archived


async def _to_members(pc: PlanContext, record: ProgramRecord, reachable: list[Member], outcome: Outcome) -> int:
    """Each member's summary, and the moderators' and mentors' thank-you, in their own language."""
    program, end = pc.program, closing_end(pc.program)
    queued = 0
    for member in reachable:
        t = Translator(resolve_locale(member.locale, pc.workspace.locale))
        target = user_target(pc.workspace, member.external_id)
        queued += await enqueue(pc.uow, workspace_id=pc.workspace_id, key=f"closing-summary:{program.id}:{member.id}",
                                kind="summary", target=target, message=member_summary(t, program, record, member),
                                due_at=pc.now, stale_at=end + SUMMARY_STALE, program_id=program.id,
                                member_id=member.id)
        outcome.summaries += 1
        contribution = record.contributions.get(member.id or 0)
        if contribution is not None:
            queued += await enqueue(pc.uow, workspace_id=pc.workspace_id, key=f"closing-thanks:{program.id}:"
                                    f"{member.id}", kind="thanks", target=target, due_at=pc.now,
                                    message=thank_you(t, program, member, contribution), program_id=program.id,
                                    member_id=member.id, stale_at=end + SUMMARY_STALE)
            outcome.thanked += 1
    return queued


async def _to_circles(pc: PlanContext, record: ProgramRecord, reachable: list[Member], outcome: Outcome) -> int:
    """A closing message in each circle's space, then the space archived an hour later (Slack; Teams skips it)."""
    queued = 0
    outcome.archive_supported = pc.workspace.platform != Platform.TEAMS
    outcome.archive_at = max(pc.now, closing_end(pc.program)) + ARCHIVE_AFTER
    for circle in record.circles:
        if circle.status != CircleStatus.ACTIVE:
            continue
        space = own_target(pc.workspace, circle.space) if circle.space else None
        if space is None:
            outcome.no_space.append(circle.name)
            continue
        t = channel_translator(pc.workspace, [m for m in reachable if record.circle_of.get(m.id or 0) is circle])
        queued += await enqueue(pc.uow, workspace_id=pc.workspace_id, key=f"closing-circle:{circle.id}",
                                kind="closing", target=space, due_at=pc.now, program_id=pc.program.id,
                                message=circle_closing(t, pc.program, circle,
                                                       archive_supported=outcome.archive_supported))
        await queue_space_change(pc, space=space.key(), key=f"closing-archive:{circle.id}", action="archive",
                                 program_id=pc.program.id, due_at=outcome.archive_at)
        outcome.archived += 1
    return queued


async def _final_answers(pc: PlanContext) -> int | None:
    rounds = await pc.uow.feedback.polls_of_program(workspace_id=pc.workspace_id, program_id=pc.program.id or 0)
    final = next((p for p in rounds if p.kind == PollKind.FINAL), None)
    if final is None:
        return None
    return len(await pc.uow.feedback.responses(workspace_id=pc.workspace_id, poll_ids=[final.id or 0]))


async def _to_admins(pc: PlanContext, record: ProgramRecord, outcome: Outcome) -> None:
    program = pc.program
    if not await admin_recipients(pc, config=pc.config):
        log.warning("program %s closed, but no admin can be written to in its workspace", program.id)
        return
    people = {m.id or 0: m for m in await pc.uow.members.many(workspace_id=pc.workspace_id,
                                                              member_ids=list(record.contributions))}
    await tell_admins(pc, pc.config, key=f"closing-admin:{program.id}", program_id=program.id,
                      build=lambda t: admin_closing(t, program, record, people, outcome, zone=program.timezone,
                                                    ended=closing_end(program)))


@for_states(ProgramState.CLOSING)
async def plan_closing_end(pc: PlanContext) -> int:
    """At F (the final round closes; feedback's closing report was planned just before, in this same pass)."""
    program = pc.program
    end = closing_end(program)
    if pc.now < end:
        return 0
    people = await active_people(pc)
    outcome = Outcome(k=k_of(program, pc.config.k_anonymity), late=pc.now >= end + LATE,
                      unreachable=people.unreachable)
    record = await program_record(pc.uow, program, member_ids=[m.id or 0 for m in people.reachable])
    queued = 0
    if not outcome.late:
        queued += await _to_members(pc, record, people.reachable, outcome)
        queued += await _to_circles(pc, record, people.reachable, outcome)
    outcome.final_answers = await _final_answers(pc)
    await _to_admins(pc, record, outcome)
    program.state = ProgramState.CLOSED
    program.closed_at = pc.now
    pc.uow.programs.add(program)
    log.info("program %s closed (%d deliveries queued%s)", program.id, queued, ", late" if outcome.late else "")
    return queued
