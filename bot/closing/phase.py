"""The closing phase begins: a running program enters it after its last session by itself (`program end` may start
it earlier), and every active member is told, in their language, what comes and when."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.kernel.calendar import closing_end, closing_start, natural_closing_start
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.planning import PlanContext, for_states
from bot.sessions.timing import zone
from storage.tables import Member, Program, ProgramState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class People:
    """A program's active members: those we can write to, and how many we cannot (left the platform, blocked us)."""

    reachable: list[Member]
    unreachable: int


async def active_people(pc: PlanContext) -> People:
    enrollments = await pc.uow.enrollments.of_program(workspace_id=pc.workspace_id, program_id=pc.program.id or 0)
    members = await pc.uow.members.many(workspace_id=pc.workspace_id, member_ids=[e.member_id for e in enrollments])
    present = [m for m in members if not m.erased]
    return People([m for m in present if m.reachable], sum(1 for m in present if not m.reachable))


def moment(when: datetime, member: Member | None, program: Program, t: Translator) -> str:
    """A date and time in the reader's own zone (the program's when theirs is unknown)."""
    name = member.timezone if member is not None else program.timezone
    return format_moment(when, timezone=zone(name, fallback=program.timezone).key, locale=t.locale)


@for_states(ProgramState.RUNNING)
async def plan_closing_start(pc: PlanContext) -> int:
    """After the last session the program enters its closing phase by itself; the session planners (running
    programs only) stop here, and the closing planners below take over in this same pass."""
    start = natural_closing_start(pc.program)
    if pc.now < start:
        return 0
    pc.program.state = ProgramState.CLOSING
    pc.program.closing_started_at = min(start, pc.program.closing_started_at or start)
    pc.uow.programs.add(pc.program)
    log.info("program %s entered its closing phase", pc.program.id)
    return 0


def told(t: Translator, program: Program, member: Member) -> Message:
    title = t("closing.told.title", program=program.name)
    body = t("closing.told.body", program=program.name, closes=moment(closing_end(program), member, program, t))
    note = t("closing.told.note")
    return Message(text="\n".join([title, body, note]), blocks=(Header(title), Text(body), Context(note)))


@for_states(ProgramState.CLOSING)
async def plan_closing_told(pc: PlanContext) -> int:
    """At the start of the closing phase every active member hears that the program has ended and what follows;
    one DM each (key `closing-told:<program>:<member>`), dated at the start so it reaches them before the polls."""
    program = pc.program
    start, end = closing_start(program), closing_end(program)
    if pc.now >= end:
        return 0
    prefix = f"closing-told:{program.id}:"
    planned = await pc.uow.outbox.planned_keys(program_id=program.id or 0, prefixes=(prefix,))
    queued = 0
    for member in (await active_people(pc)).reachable:
        key = f"{prefix}{member.id}"
        if key in planned:
            continue
        t = Translator(resolve_locale(member.locale, pc.workspace.locale))
        queued += await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind="closing", due_at=start,
                                stale_at=end, target=user_target(pc.workspace, member.external_id),
                                message=told(t, program, member), program_id=program.id, member_id=member.id)
    return queued
