"""The next cohort: members who chose to mentor next time, or asked for a new match, are invited once, by DM with a
Join button, when another program of their workspace that fits is enrolling."""

from __future__ import annotations

from functools import partial

from bot.alumni.touch import KIND
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Header, Message, Text
from bot.kernel.outbox import dm
from bot.kernel.planning import PlanContext, for_states
from storage.tables import ClosingChoice, ModeratorMode, NextStep, Participation, Program, ProgramFormat, ProgramState


def wanted(program: Program) -> tuple[str, ...]:
    """Whose choices this program answers: any program takes mentors (a circle a possible moderator), pair programs
    new matches. An invitation-only program is joined by the admins' invitation alone, so it invites no one here."""
    if program.participation == Participation.INVITATION:
        return ()
    if program.format != ProgramFormat.CIRCLES:
        return (NextStep.MENTOR_NEXT, NextStep.NEW_MATCH)
    return () if program.moderator_mode == ModeratorMode.NONE else (NextStep.MENTOR_NEXT,)


def invitation(t: Translator, *, program: Program, origin: str, step: str) -> Message:
    if step == NextStep.NEW_MATCH:
        key = "alumni.invite.new_match"
    else:
        key = "alumni.invite.moderator" if program.format == ProgramFormat.CIRCLES else "alumni.invite.mentor"
    text = t(key, program=program.name, origin=origin)
    join = t("alumni.invite.join", program=program.name)
    return Message(text=f"{text}\n{join}: join {program.slug}", blocks=(
        Header(program.name), Text(text), Buttons((Button(join, f"join:{program.id}", style="primary"),))))


@for_states(ProgramState.ENROLLING)
async def invite_next_cohort(pc: PlanContext) -> int:
    """A planner: DM each member waiting for a next cohort this program fits, once (their choices are used then)."""
    program = pc.program
    choices = wanted(program)
    if not choices:
        return 0
    waiting = await pc.uow.closing.waiting(workspace_id=pc.workspace_id, choices=choices,
                                           exclude_program_id=program.id or 0)
    if not waiting:
        return 0
    by_member: dict[int, list[ClosingChoice]] = {}
    for choice in waiting:
        by_member.setdefault(choice.member_id, []).append(choice)
    members = {m.id: m for m in await pc.uow.members.many(workspace_id=pc.workspace_id, member_ids=list(by_member))}
    # Already in it, waiting, invited by an admin, declined or left: asked about this program already.
    known = {e.member_id for e in await pc.uow.enrollments.of_program(workspace_id=pc.workspace_id,
                                                                      program_id=program.id or 0, active_only=False)}
    invited = 0
    for member_id, theirs in by_member.items():
        member = members.get(member_id)
        if member is None or member.erased or member_id in known:
            continue
        origin = await pc.uow.programs.get(workspace_id=pc.workspace_id, program_id=theirs[0].program_id)
        step = NextStep.MENTOR_NEXT if any(c.choice == NextStep.MENTOR_NEXT for c in theirs) else NextStep.NEW_MATCH
        invited += await dm(pc, member=member, key=f"next-cohort:{program.id}:{member_id}", kind=KIND,
                            build=partial(invitation, program=program, origin=origin.name if origin else "", step=step),
                            program_id=program.id)
    await pc.uow.closing.mark_used(choice_ids=[c.id for c in waiting if c.id is not None], now=pc.now)
    return invited
