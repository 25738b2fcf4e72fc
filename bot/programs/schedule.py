"""Enrollment opens and closes on its dates by itself, exactly as `program open` / `program close` do, and the admins
are told each time, or once why it could not close (too few members, no mentor or mentee: it then stays open)."""

from __future__ import annotations

import logging
from datetime import date
from functools import partial

from bot.kernel.acting import planner_ctx
from bot.kernel.errors import UserError
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.planning import PlanContext, for_states
from bot.kernel.spaces import tell_admins
from bot.programs.channel_check import AnnouncementBlocked
from bot.programs.lifecycle import close_enrollment, open_enrollment
from bot.sessions.timing import zone
from storage.tables import Program, ProgramState

log = logging.getLogger(__name__)


def _today(pc: PlanContext) -> date:
    return pc.now.astimezone(zone(pc.program.timezone)).date()


def _due(program: Program, today: date) -> str | None:
    """"open" from the opening day, "close" from the day after the last day of enrollment (in the program's zone)."""
    if program.state == ProgramState.DRAFT and program.enrollment_opens and program.enrollment_opens <= today:
        return "open"
    if program.state == ProgramState.ENROLLING and program.enrollment_closes and program.enrollment_closes < today:
        return "close"
    return None


@for_states(ProgramState.DRAFT, ProgramState.ENROLLING)
async def plan_intake_dates(pc: PlanContext) -> int:
    program = pc.program
    if _due(program, _today(pc)) is None:
        return 0
    # Another replica's pass may have just done it: look again with the row locked (refreshed in place).
    await pc.uow.programs.lock(workspace_id=pc.workspace_id, program_id=program.id or 0)
    due = _due(program, _today(pc))
    if due is None:
        return 0
    ctx = await planner_ctx(pc)
    if ctx is None:
        return 0
    name, slug, pid = program.name, program.slug, program.id
    if due == "open":
        try:
            key = await open_enrollment(ctx, program)
        except AnnouncementBlocked as error:  # raised before anything is written: the program stays a draft
            if not error.transient:  # a rate limit is only waited out: the next pass checks again
                await tell_admins(pc, pc.config, key=f"intake:not_opened:{pid}:{_today(pc)}", program_id=pid,
                                  build=partial(_not_opened, program=program, error=error))
            return 0
        day = str(program.enrollment_opens)
        await tell_admins(pc, pc.config, key=f"intake:opened:{pid}", program_id=pid, build=lambda t: Message(
            text=t("intake.auto.opened", date=day, what=t(key, program=name, slug=slug))))
        return 1
    closes = str(program.enrollment_closes)
    try:
        count, summary = await close_enrollment(ctx, program)
    except UserError as error:  # raised before anything is written: the program stays open
        log.info("program %s: enrollment could not close on its date: %s", pid, error.key)
        await tell_admins(pc, pc.config, key=f"intake:blocked:{pid}:{closes}", program_id=pid,
                          build=partial(_blocked, program=program, error=error))
        return 0
    await tell_admins(pc, pc.config, key=f"intake:closed:{pid}", program_id=pid, build=lambda t: Message(
        text="\n".join(x for x in [t("intake.auto.closed", date=closes, what=t.n(
            "program.closed_enrollment", count, program=name, count=count)), summary] if x)))
    return 1


def _not_opened(t: Translator, *, program: Program, error: UserError) -> Message:
    return Message(text=t("slack_grid.auto.not_opened", program=program.name, date=str(program.enrollment_opens),
                          why=t(error.key, **error.params)))


def _blocked(t: Translator, *, program: Program, error: UserError) -> Message:
    return Message(text=t("intake.auto.blocked", program=program.name, date=str(program.enrollment_closes),
                          reason=t(error.key, **error.params), slug=program.slug))
