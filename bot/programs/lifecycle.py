"""Opening and closing enrollment: one way, whether an admin types `program open|close` or the date comes."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Fields, Header, Message, Text
from bot.kernel.outbox import post
from bot.kernel.payload import announcement_channel
from bot.programs.channel_check import check_announcement
from storage.tables import Participation, Program, ProgramFormat, ProgramState, ThemeMode

# Which command moves a program out of which state, and where to.
TRANSITIONS: dict[str, tuple[ProgramState, ProgramState]] = {
    "open": (ProgramState.DRAFT, ProgramState.ENROLLING),
    "close": (ProgramState.ENROLLING, ProgramState.FORMING),
    "form": (ProgramState.FORMING, ProgramState.RUNNING),
    "end": (ProgramState.RUNNING, ProgramState.CLOSED),
}


def check_state(ctx: Ctx, program: Program, verb: str) -> ProgramState:
    source, target = TRANSITIONS[verb]
    if program.state != source:
        raise UserError("program.bad_transition", program=program.name, state=ctx.t(f"state.{program.state}"),
                        needed=ctx.t(f"state.{source}"), command=f"program {verb}")
    return target


def _announcement_key(program: Program) -> str:
    """Say what joining means here: pair programs have no themes, fixed themes take no proposals, and an invitation
    program is joined by answering one's invitation."""
    if program.participation == Participation.INVITATION:
        return "intake.announcement.invitation"
    if program.format != ProgramFormat.CIRCLES:
        return "intake.announcement.pairs"
    return "intake.announcement.fixed_themes" if program.theme_mode == ThemeMode.ADMIN_FIXED \
        else "program.announcement"


def announcement(t: Translator, program: Program) -> Message:
    text = t(_announcement_key(program), program=program.name, goal=program.goal, slug=program.slug)
    rules = [x for x in (program.rules_frequency, program.rules_duration, program.rules_topics) if x]
    blocks: tuple = (Header(t("program.announcement_title", program=program.name)), Text(text))
    if rules:
        blocks = (*blocks, Fields(((t("program.field.rules"), " · ".join(rules)),)))
    if program.participation != Participation.INVITATION:
        blocks = (*blocks, Buttons((Button(t("program.join_button"), f"join:{program.id}", style="primary"),)))
    return Message(text=text, blocks=blocks)


async def _locked(ctx: Ctx, program: Program) -> None:
    """Lock and refresh the program row first: a double press, or two replicas' planning passes, move it once."""
    await ctx.uow.programs.lock(workspace_id=ctx.workspace_id, program_id=program.id or 0)


async def open_enrollment(ctx: Ctx, program: Program) -> str:
    """DRAFT -> ENROLLING with the announcement; returns the key of what the admin is told."""
    await _locked(ctx, program)
    opened = check_state(ctx, program, "open")
    channel = announcement_channel(ctx.workspace, program)
    if channel is not None:  # saved before channels were checked, or Lingkar removed since: the admin is told
        await check_announcement(ctx, program, channel)
    program.state = opened
    ctx.uow.programs.add(program)
    if channel is not None:
        await post(ctx, target=channel, key=f"announce:{program.id}",
                   kind="announcement", message=announcement(ctx.t, program), program_id=program.id)
    return "program.opened" if channel is not None else "program.opened_no_channel"


async def close_enrollment(ctx: Ctx, program: Program) -> tuple[int, str]:
    """ENROLLING -> FORMING: themes selected and self-select circles opened (the capabilities' on_close steps).
    Checks come first and raise UserError before anything is written: too few members, no mentor or no mentee.
    Returns the active count and the summary lines."""
    await _locked(ctx, program)
    target = check_state(ctx, program, "close")
    count = await ctx.uow.enrollments.count_active(workspace_id=ctx.workspace_id, program_id=program.id or 0)
    lines: list[str] = []
    if program.format == ProgramFormat.CIRCLES:
        if count < program.size_min:
            raise UserError("program.too_few", program=program.name, count=count, minimum=program.size_min)
    else:
        roles = [e.role for e in await ctx.uow.enrollments.of_program(workspace_id=ctx.workspace_id,
                                                                      program_id=program.id or 0)]
        mentors, mentees = roles.count("mentor"), roles.count("mentee")
        if not mentors or not mentees:
            raise UserError("program.no_pairs", program=program.name, mentors=mentors, mentees=mentees)
        lines.append(ctx.t("program.pair_counts", mentors=mentors, mentees=mentees))
    # Each capability's part, for its kind of program (themes and self-select circles for circles).
    lines += [s for s in [await step(ctx, program) for step in ctx.hooks.on_close] if s]
    program.state = target
    ctx.uow.programs.add(program)
    return count, "\n".join(lines)
