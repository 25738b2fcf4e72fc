"""Programs, for admins: create, list, show, and move through draft -> enrolling -> forming -> running -> closing;
`program enroll` for mandatory programs."""

from __future__ import annotations

from functools import partial

from bot.kernel.acting import as_member
from bot.kernel.calendar import closing_end, closing_start, natural_closing_start, program_stretch
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import FormSubmitted
from bot.kernel.grammar import mentioned_users
from bot.kernel.i18n import Translator, format_moment, zone_label
from bot.kernel.intake import Seat, joined_lines, take_seat
from bot.kernel.messages import Fields, Header, Message, Text
from bot.kernel.outbox import dm
from bot.kernel.payload import Unavailable, admin_only, own_target
from bot.kernel.ports import Target
from bot.kernel.program_lookup import find_program
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.kernel.text_keys import slugify
from bot.programs.channel_check import ChannelCheck, check_channel
from bot.programs.form import apply_fields, program_form, read_program, requested_format
from bot.programs.home import create_in_personal_chat, needs_home
from bot.programs.home_report import report_spaces
from bot.programs.lifecycle import check_state as _check_state
from bot.programs.lifecycle import close_enrollment, open_enrollment
from bot.programs.show import details
from bot.sessions.timing import zone
from storage.tables import EnrollmentStatus, Participation, Program, ProgramFormat, ProgramState


async def create(ctx: Ctx, args: str) -> list[Response]:
    """`program create [circles | one_on_one | peer | reverse]`: the form for that format (circles by default)."""
    asked = await create_in_personal_chat(ctx, args)
    if asked is not None:
        return asked
    here = ctx.where.key() if ctx.where is not None and ctx.where.kind != "user" else ""
    program_format = requested_format(args)
    if program_format is None:
        raise UserError("program_create.unknown_format", text=args.strip()[:40])
    if ctx.where is not None and here:  # before anything is typed: can Lingkar post in this channel?
        checked = await check_channel(ctx, ctx.where, retry="slack_channels.retry_command")
        if checked.error is not None:
            return [Reply(Message(text=checked.error))]
    return [OpenForm(program_form(ctx.t, today=ctx.now.date(), announce_here=here, program_format=program_format))]


async def _unique_slug(ctx: Ctx, name: str) -> str:
    base = slugify(name, max_length=40)
    slug, n = base, 2
    while await ctx.uow.programs.by_slug(workspace_id=ctx.workspace_id, slug=slug) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _announce_where(ctx: Ctx, form: FormSubmitted) -> str:
    """The channel the form was opened from. The submission's own conversation when it is a channel (the adapter
    knows it); else the form's state, which a client can edit: it must name a channel of this very workspace."""
    if form.where is not None and form.where.kind != "user":
        here = own_target(ctx.workspace, form.where.key())
        if here is not None:
            return here.key()
    if not form.state:
        return ""  # typed in a direct message: the program is announced nowhere until an admin says where
    named = own_target(ctx.workspace, form.state)
    if named is None:
        raise Unavailable()
    return named.key()


@admin_only
async def submit_create(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    where = _announce_where(ctx, form)
    fields, errors = read_program(ctx.t, form.values, today=ctx.now.date())
    if errors:
        return [FormErrors(errors)]
    # Checked again before saving: the form may have been opened elsewhere, or Lingkar removed since. An error
    # keeps the form open with every answer, so the admin invites Lingkar and submits again.
    checked = await check_channel(ctx, Target.from_key(where), retry="slack_channels.retry_form") if where \
        else ChannelCheck()
    if checked.error is not None:
        return [FormErrors({"name": checked.error})]
    program = Program(workspace_id=ctx.workspace_id, name=str(fields["name"]), slug="", created_at=ctx.now,
                      created_by_member_id=ctx.member_id, announcement_target=where)
    apply_fields(program, fields)
    program.slug = await _unique_slug(ctx, program.name)
    ctx.uow.programs.add(program)
    await ctx.uow.flush()
    text = ctx.t("program.created", program=program.name, slug=program.slug)
    if not where and needs_home(ctx):  # a form opened before it asked, or its channel was taken out of the state
        text += "\n" + ctx.t("program_home.created_no_home", program=program.name, slug=program.slug)
    if checked.note is not None:
        text += "\n" + checked.note
    return [Reply(Message(text=text, blocks=(Header(program.name), Text(text), _summary(ctx.t, program))))]


def _summary(t: Translator, program: Program) -> Fields:
    return Fields((
        (t("program.field.goal"), program.goal or "-"),
        (t("program.field.format"), t(f"format.{program.format}")),
        (t("program.field.state"), t(f"state_label.{program.state}")),
        (t("program.field.schedule"), t("program.schedule", weekday=t(f"weekday.{program.meeting_weekday}"),
                                        time=program.meeting_time,
                                        zone=zone_label(program_stretch(program).moment(0), program.timezone),
                                        cadence=t(f"cadence.{program.cadence}"), weeks=program.weeks)),
        *_format_fields(t, program),
    ))


def _format_fields(t: Translator, program: Program) -> tuple[tuple[str, str], ...]:
    """Circle sizes, moderators and themes for circles; how pairs are matched for pair programs."""
    if program.format != ProgramFormat.CIRCLES:
        return ((t("program.form.pair_matching"), t(f"pair_matching.{program.pair_matching}")),
                (t("program.form.pair_response_hours"), str(program.pair_response_hours)))
    return ((t("program.field.sizes"), t("wording.circle_sizes", min=program.size_min, max=program.size_max,
                                        target=program.size_target)),
            (t("program.field.moderators"), t(f"moderator_mode.{program.moderator_mode}")),
            (t("program.field.themes"), t(f"theme_mode.{program.theme_mode}")))


async def program_list(ctx: Ctx, args: str) -> list[Response]:
    programs = await ctx.uow.programs.all_in(workspace_id=ctx.workspace_id)
    if not programs:
        return [Reply(Message(text=ctx.t("program.none")))]
    lines = []
    for program in programs:
        count = await ctx.uow.enrollments.count_active(workspace_id=ctx.workspace_id, program_id=program.id or 0)
        lines.append(ctx.t.n("program.line", count, program=program.name, slug=program.slug,
                             state=ctx.t(f"state_label.{program.state}"), count=count))
    return [Reply(Message(text="\n".join(lines)))]


async def program_show(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    more = await details(ctx, program)
    text = "\n".join([program.name, *(f"{label}: {value}" for label, value in more.pairs)])
    return [Reply(Message(text=text, blocks=(Header(program.name), _summary(ctx.t, program), more)))]


async def program_open(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    key = await open_enrollment(ctx, program)
    return [Reply(Message(text=ctx.t(key, program=program.name, slug=program.slug)))]


async def program_close(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    count, summary = await close_enrollment(ctx, program)
    closed = ctx.t.n("program.closed_enrollment", count, program=program.name, count=count)
    return [Reply(Message(text=closed + "\n" + summary))]


async def program_form_circles(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    target = _check_state(ctx, program, "form")
    text = ""
    for step in ctx.hooks.on_form:  # circles formed or pairs matched: the first capability whose kind it is
        summary = await step(ctx, program)
        if summary is not None:
            text = summary
            break
    program.state = target
    ctx.uow.programs.add(program)
    responses: list[Response] = [Reply(Message(text=text))]
    # The circles' spaces are tried right after the commit: this step runs after those tries and completes the
    # reply with what they gave, so "N circles formed" never stands alone when they have nowhere to meet.
    ctx.after_commit(partial(report_spaces, program_id=program.id or 0, responses=responses))
    return responses


async def program_end(ctx: Ctx, args: str) -> list[Response]:
    """`program end`: a running program enters its closing phase now (final poll, summaries and thanks follow on
    the schedule: bot/closing); one that has not started is cancelled, and whoever had joined or was asked is told."""
    program = await find_program(ctx, args)
    where = zone(ctx.member.timezone, fallback=program.timezone).key
    if program.state == ProgramState.CLOSING:
        raise UserError("closing.end.already_closing", program=program.name,
                        closes=format_moment(closing_end(program), timezone=where, locale=ctx.t.locale))
    if program.state == ProgramState.CLOSED:
        raise UserError("closing.end.already_closed", program=program.name)
    if program.state != ProgramState.RUNNING:
        return await _cancel(ctx, program)
    program.state = ProgramState.CLOSING
    program.closing_started_at = min(ctx.now, natural_closing_start(program))  # late: the schedule's own start
    ctx.uow.programs.add(program)
    count = await ctx.uow.enrollments.count_active(workspace_id=ctx.workspace_id, program_id=program.id or 0)
    return [Reply(Message(text=ctx.t(
        "closing.end.started", program=program.name, count=count,
        starts=format_moment(closing_start(program), timezone=where, locale=ctx.t.locale),
        closes=format_moment(closing_end(program), timezone=where, locale=ctx.t.locale))))]


async def _cancel(ctx: Ctx, program: Program) -> list[Response]:
    """Ended before it ran: closed at once; members, the waitlist and those invited hear it in their language."""
    told = 0
    waiting = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED, EnrollmentStatus.INVITED)
    for enrollment in await ctx.uow.enrollments.of_program(workspace_id=ctx.workspace_id,
                                                           program_id=program.id or 0, active_only=False):
        member = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=enrollment.member_id)
        if enrollment.status not in waiting or member is None or member.erased or not member.reachable:
            continue
        told += await dm(ctx, member=member, key=f"cancelled:{program.id}:{member.id}", kind="dm",
                         program_id=program.id,
                         build=lambda t: Message(text=t("closing.cancelled.dm", program=program.name)))
    program.state = ProgramState.CLOSED
    program.closed_at = ctx.now
    ctx.uow.programs.add(program)
    return [Reply(Message(text=ctx.t("closing.cancelled.reply", program=program.name, count=told)))]


async def program_enroll(ctx: Ctx, args: str) -> list[Response]:
    """Mandatory programs: admins enroll a listed set of members, and each is told why and how to opt for details.
    The seats hold here too (the rest wait, told their place); late in a program, circles or pairs take them in."""
    users = mentioned_users(args)
    name = args.split("<@", 1)[0].strip()
    if not users or not name:
        raise UserError("program.enroll_usage")
    program = await find_program(ctx, name)
    if program.participation != Participation.MANDATORY:
        raise UserError("program.not_mandatory", program=program.name)
    if program.state not in (ProgramState.DRAFT, ProgramState.ENROLLING, ProgramState.FORMING, ProgramState.RUNNING):
        raise UserError("enroll.not_open", program=program.name, state=ctx.t(f"state.{program.state}"))
    added = waiting = 0
    for user in dict.fromkeys(users):
        member = await ctx.uow.members.get_or_create(workspace_id=ctx.workspace_id, external_id=user, now=ctx.now)
        seat = await take_seat(ctx, program, member)
        if not seat.fresh:
            continue
        listed = seat.status == EnrollmentStatus.WAITLISTED
        added, waiting = added + (not listed), waiting + listed
        lines = [] if listed else await joined_lines(as_member(ctx, member), program, member)
        await dm(ctx, member=member, key=f"mandatory:{program.id}:{member.id}", kind="dm", program_id=program.id,
                 build=partial(_mandatory_dm, program=program, seat=seat, lines=lines))
    return [Reply(Message(text=ctx.t.n("program.enrolled_listed", added, program=program.name, count=added,
                                       already=len(set(users)) - added - waiting)
                          + (" " + ctx.t.n("intake.enrolled_waitlisted", waiting, count=waiting) if waiting else "")))]


def _mandatory_dm(t: Translator, *, program: Program, seat: Seat, lines: list[str]) -> Message:
    """Why they were enrolled, then their waitlist place or where circles or pairs put them."""
    listed = seat.status == EnrollmentStatus.WAITLISTED
    after = [t("intake.waitlisted", program=program.name, position=seat.position)] if listed else lines
    return Message(text=" ".join([t("program.mandatory_dm", program=program.name, goal=program.goal), *after]))
