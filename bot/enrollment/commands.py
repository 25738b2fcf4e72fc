"""Enrollment: join a program through the questionnaire, edit the profile, leave without blame, status."""

from __future__ import annotations

from bot.enrollment.profile import (
    apply_profile,
    org_view,
    pair_inputs,
    profile_form,
    profile_line,
    read_hopes,
    read_pair_fields,
)
from bot.kernel.acting import as_member
from bot.kernel.context import Ctx, HomePart, HomeSection
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted
from bot.kernel.help import help_message
from bot.kernel.i18n import Translator
from bot.kernel.intake import JOINING, Seat, joined_lines, take_seat, waitlist_position
from bot.kernel.messages import Button, Buttons, Fields, Form, Header, Input, Message, Text, TextInput
from bot.kernel.payload import Unavailable
from bot.kernel.program_lookup import find_program, open_programs, program_by_id
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from storage.tables import (
    Enrollment,
    EnrollmentStatus,
    Participation,
    Program,
    ProgramFormat,
    ProgramState,
    ThemeMode,
)

LEAVE_FORM = "leave"
JOIN_STATE = "join:"


def _choose(ctx: Ctx, programs: list[Program], *, verb: str, prompt_key: str) -> Reply:
    buttons = tuple(Button(p.name, f"{verb}:{p.id}") for p in programs)
    text = ctx.t(prompt_key) + "\n" + "\n".join(f"• {p.name} ({p.slug})" for p in programs)
    return Reply(Message(text=text, blocks=(Text(ctx.t(prompt_key)), Buttons(buttons))))


async def _check_joinable(ctx: Ctx, program: Program, existing: Enrollment | None) -> None:
    """Open for enrollment, or forming/running (late joiners); by invitation only for those invited."""
    if program.state not in JOINING:
        raise UserError("enroll.not_open", program=program.name, state=ctx.t(f"state.{program.state}"))
    if program.participation == Participation.INVITATION and existing is None:
        raise UserError("intake.invitation_only", program=program.name)


async def start_join(ctx: Ctx, program: Program) -> list[Response]:
    existing = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                             member_id=ctx.member_id)
    await _check_joinable(ctx, program, existing)
    if existing is not None and existing.status == EnrollmentStatus.ACTIVE:
        return [Reply(Message(text=ctx.t("enroll.already", program=program.name)))]
    if existing is not None and existing.status == EnrollmentStatus.WAITLISTED:
        position = await waitlist_position(ctx, program, ctx.member_id)
        return [Reply(Message(text=ctx.t("intake.waitlisted_already", program=program.name, position=position)))]
    extra: tuple[Input, ...] = ()
    if program.format != ProgramFormat.CIRCLES:
        extra = pair_inputs(ctx.t, program_format=program.format, role=existing.role if existing else None,
                            capacity=existing.capacity if existing else 1, hopes=existing.hopes if existing else "")
    return [OpenForm(profile_form(ctx.t, ctx.member, state=f"{JOIN_STATE}{program.id}", extra=extra,
                                  org=await org_view(ctx, program)))]


async def _joinable(ctx: Ctx) -> list[Program]:
    """What `join` offers: the programs open for enrollment; when none is, those that take late joiners."""
    programs = await open_programs(ctx)
    if programs:
        return programs
    late = await ctx.uow.programs.in_states(workspace_id=ctx.workspace_id,
                                            states=(ProgramState.FORMING, ProgramState.RUNNING))
    return [p for p in late if p.participation == Participation.VOLUNTARY]


async def join(ctx: Ctx, args: str) -> list[Response]:
    if args:
        return await start_join(ctx, await find_program(ctx, args))
    programs = await _joinable(ctx)
    if not programs:
        raise UserError("enroll.none_open")
    if len(programs) == 1:
        return await start_join(ctx, programs[0])
    return [_choose(ctx, programs, verb="join", prompt_key="enroll.choose")]


async def join_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    return await start_join(ctx, await program_by_id(ctx, arg))


async def profile(ctx: Ctx, args: str) -> list[Response]:
    return [OpenForm(profile_form(ctx.t, ctx.member, org=await org_view(ctx)))]


def _welcome_key(program: Program) -> str:
    """What a new member can do before enrollment closes depends on the format: pair programs have no themes."""
    if program.format != ProgramFormat.CIRCLES:
        return "intake.joined.pairs"
    return "intake.joined.fixed_themes" if program.theme_mode == ThemeMode.ADMIN_FIXED else "enroll.joined"


async def _outcome(ctx: Ctx, t: Translator, program: Program, seat: Seat, role: str) -> str:
    name = program.name
    if seat.status == EnrollmentStatus.WAITLISTED:
        key = "intake.waitlisted" if seat.fresh else "intake.waitlisted_already"
        return t(key, program=name, position=seat.position)
    if not seat.fresh:
        return t("enroll.already", program=name)
    lines = await joined_lines(as_member(ctx, ctx.member), program, ctx.member)
    if seat.rejoined:
        return " ".join([t("enroll.rejoined", program=name), *lines])
    if lines:
        return " ".join([t("intake.joined.late", program=name), *lines])
    return t(_welcome_key(program), program=name, role=t(f"profile.role.{role}.{program.format}")
             if program.format != ProgramFormat.CIRCLES else "")


async def submit_profile(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    program: Program | None = None
    if form.state:  # only "join:<program id>" or nothing: any other state was not written by us
        if not form.state.startswith(JOIN_STATE):
            raise Unavailable()
        program = await program_by_id(ctx, form.state.removeprefix(JOIN_STATE))
        await _check_joinable(ctx, program, await ctx.uow.enrollments.get(
            workspace_id=ctx.workspace_id, program_id=program.id or 0, member_id=ctx.member_id))
    role, capacity, pair_errors = read_pair_fields(ctx.t, form.values)
    is_pairs = program is not None and program.format != ProgramFormat.CIRCLES
    if program is not None and program.format == ProgramFormat.REVERSE:
        hopes, hope_errors = read_hopes(ctx.t, form.values)
        pair_errors = {**pair_errors, **hope_errors}
    else:
        hopes = ""  # only a reverse program asks; a forged answer elsewhere is ignored
    org = await org_view(ctx, program)  # read again: a field the form did not offer is ignored, whatever is sent
    errors = {**apply_profile(ctx.t, ctx.member, form.values, org=org), **(pair_errors if is_pairs else {})}
    if errors:
        return [FormErrors(errors)]
    ctx.uow.members.add(ctx.member)
    t = Translator(ctx.member.locale or ctx.t.locale)  # answer in the language they just chose
    if program is None:
        return [Reply(Message(text=t("profile.saved")))]
    seat = await take_seat(ctx, program, ctx.member)
    if is_pairs:  # before the on_join hooks run, so pairs see whether a late joiner mentors or is mentored
        await _set_role(ctx, program, role, capacity, hopes)
    text = await _outcome(ctx, t, program, seat, role)
    blocks = (Header(program.name), Text(text), Fields(((t("profile.summary"), _profile_line(ctx)),)))
    return [Reply(Message(text=text, blocks=blocks))]


async def _set_role(ctx: Ctx, program: Program, role: str, capacity: int, hopes: str) -> None:
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is not None:
        enrollment.role, enrollment.capacity = role, capacity if role == "mentor" else 1
        enrollment.hopes = hopes if role == "mentee" else ""  # a senior's question: a mentor has none to keep
        ctx.uow.enrollments.add(enrollment)
        await ctx.uow.flush()


def _profile_line(ctx: Ctx) -> str:
    return profile_line(ctx.t, ctx.member)


def _leave_form(ctx: Ctx, program: Program) -> Form:
    return Form(
        form_id=LEAVE_FORM,
        title=ctx.t("leave.title"),
        intro=ctx.t("leave.intro", program=program.name),
        submit=ctx.t("leave.submit"),
        state=str(program.id),
        inputs=(TextInput("reason", ctx.t("leave.reason"), optional=True, multiline=True,
                          max_length=ctx.services.config.max_free_text),),
    )


HELD = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED)  # what `leave` lets go of: a seat or a waitlist place


async def _held_enrollment(ctx: Ctx, program: Program) -> Enrollment:
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status not in HELD:
        raise UserError("leave.not_in_program", program=program.name)
    return enrollment


async def _my_programs(ctx: Ctx) -> list[Program]:
    programs = []
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id,
                                                          active_only=False):
        if enrollment.status not in HELD:
            continue
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if program is not None and program.state != ProgramState.CLOSED:
            programs.append(program)
    return programs


async def leave(ctx: Ctx, args: str) -> list[Response]:
    if args:
        program = await find_program(ctx, args)
        await _held_enrollment(ctx, program)
        return [OpenForm(_leave_form(ctx, program))]
    programs = await _my_programs(ctx)
    if not programs:
        raise UserError("leave.not_in")
    if len(programs) == 1:
        return [OpenForm(_leave_form(ctx, programs[0]))]
    return [_choose(ctx, programs, verb="leave", prompt_key="leave.choose")]


async def leave_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    program = await program_by_id(ctx, arg)
    await _held_enrollment(ctx, program)
    return [OpenForm(_leave_form(ctx, program))]


async def submit_leave(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    program = await program_by_id(ctx, form.state)
    enrollment = await _held_enrollment(ctx, program)
    reason = form.values.get("reason")
    reason_text = (reason if isinstance(reason, str) else "").strip()[: ctx.services.config.max_free_text]
    waiting = enrollment.status == EnrollmentStatus.WAITLISTED
    enrollment.status = EnrollmentStatus.LEFT
    enrollment.left_at = ctx.now
    enrollment.left_reason = reason_text or None  # private: only admins ever read it
    ctx.uow.enrollments.add(enrollment)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="enrollment.left",
                         actor_member_id=ctx.member_id, detail={"program_id": program.id})
    if waiting:  # no seat, circle or pair to let go of
        return [Reply(Message(text=ctx.t("intake.left_waitlist", program=program.name)))]
    for hook in ctx.hooks.on_leave:  # circles and pairs let go of them; programs moves the waitlist up
        await hook(ctx, program)
    return [Reply(Message(text=ctx.t("leave.done", program=program.name)))]


async def _status_line(ctx: Ctx, program: Program, enrollment: Enrollment) -> str | None:
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return ctx.t(f"state_label.{program.state}")
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        return ctx.t("intake.status.waitlisted", position=await waitlist_position(ctx, program, ctx.member_id))
    if enrollment.status == EnrollmentStatus.INVITED and program.state in JOINING:
        return ctx.t("intake.status.invited", slug=program.slug)
    return None  # left or declined


async def status(ctx: Ctx, args: str) -> list[Response]:
    t = ctx.t
    # One query for every program of the member (a member of many programs asks often: one read per program was
    # most of this command's cost on a large database).
    enrolled = await ctx.uow.enrollments.of_member_with_programs(workspace_id=ctx.workspace_id,
                                                                 member_id=ctx.member_id)
    lines: list[str] = []
    pairs: list[tuple[str, str]] = []
    for enrollment, program in enrolled:
        line = await _status_line(ctx, program, enrollment)
        if line is None:
            continue
        pairs.append((program.name, line))
        lines.append(f"• {program.name}: {line}")
    if not pairs:
        text = t("status.none")
        return [Reply(Message(text=text, blocks=(Text(text),)))]
    blocks: tuple = (Header(t("status.title")), Fields(tuple(pairs)))
    if ctx.member.profile_completed:
        blocks = (*blocks, Text(t("status.profile", profile=_profile_line(ctx))))
    return [Reply(Message(text="\n".join([t("status.title"), *lines]), blocks=blocks))]


async def show_help(ctx: Ctx, args: str) -> list[Response]:
    return [Reply(help_message(ctx.t, list(ctx.hooks.specs), admin=await ctx.is_admin()))]


async def _status_part(ctx: Ctx) -> HomePart:
    """The home view opens with what `status` says."""
    replies = [r for r in await status(ctx, "") if isinstance(r, Reply)]
    return HomePart(blocks=tuple(b for r in replies for b in r.message.blocks),
                    lines=tuple(r.message.text for r in replies))


STATUS_SECTION = HomeSection(order=0, build=_status_part)
