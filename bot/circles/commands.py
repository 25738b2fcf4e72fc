"""Circle commands for members: info, members, a no-fault exit; low circles are flagged to admins."""

from __future__ import annotations

from bot.circles.intake import fill_places
from bot.circles.launch import retry_space
from bot.circles.scope import circle_of_actor
from bot.kernel.admins import notify_admins
from bot.kernel.calendar import group_timetable, next_session
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import FormSubmitted
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Fields, Form, Header, Message, TextInput
from bot.kernel.outbox import post
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.ports import Target
from bot.kernel.replies import OpenForm, Reply, Response
from storage.tables import Circle, CircleMemberStatus, CircleStatus, Program

LEAVE_FORM = "circle.leave"


async def info(ctx: Ctx, args: str) -> list[Response]:
    circle, program = await circle_of_actor(ctx)
    memberships = await ctx.uow.circles.memberships(circle_id=circle.id or 0)
    moderator = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=circle.moderator_member_id or 0)
    upcoming = next_session(group_timetable(program, circle), ctx.now)
    when = format_moment(upcoming[1], timezone=ctx.member.timezone, locale=ctx.t.locale) if upcoming else "-"
    theme = await ctx.uow.themes.get(workspace_id=ctx.workspace_id, theme_id=circle.theme_id or 0)
    pairs = [
        (ctx.t("formation.theme"), theme.title if theme else "-"),
        (ctx.t("formation.members"), str(len(memberships))),
        (ctx.t("circles.moderator"), moderator.name if moderator else "-"),
        (ctx.t("circles.next_session"), when),
    ]
    if program.video_link:
        pairs.append((ctx.t("formation.video"), program.video_link))
    pairs.append((ctx.t("circles_intake.number"), str(circle.id)))  # what `circle add` and `circle merge` take
    text = "\n".join(f"{a}: {b}" for a, b in pairs)
    return [Reply(Message(text=f"{circle.name}\n{text}", blocks=(Header(circle.name), Fields(tuple(pairs)))))]


async def members(ctx: Ctx, args: str) -> list[Response]:
    circle, _ = await circle_of_actor(ctx)
    memberships = await ctx.uow.circles.memberships(circle_id=circle.id or 0)
    people = await ctx.uow.members.many(workspace_id=ctx.workspace_id, member_ids=[m.member_id for m in memberships])
    lines = [f"• {p.name} ({p.department or '-'})"
             + (f" {ctx.t('circles.moderator_mark')}" if p.id == circle.moderator_member_id else "")
             for p in people]
    return [Reply(Message(text="\n".join([ctx.t("circles.members_title", circle=circle.name), *lines])))]


async def leave(ctx: Ctx, args: str) -> list[Response]:
    circle, _ = await circle_of_actor(ctx)
    return [OpenForm(Form(form_id=LEAVE_FORM, title=ctx.t("circles.leave_title"), submit=ctx.t("leave.submit"),
                          intro=ctx.t("circles.leave_intro", circle=circle.name), state=str(circle.id),
                          inputs=(TextInput("reason", ctx.t("leave.reason"), optional=True, multiline=True,
                                            max_length=ctx.services.config.max_free_text),)))]


async def submit_leave(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=int_id(form.state))
    if circle is None:
        raise Unavailable()
    reason = form.values.get("reason")
    await leave_circle(ctx, circle, reason=(reason if isinstance(reason, str) else "").strip())
    return [Reply(Message(text=ctx.t("circles.left", circle=circle.name)))]


async def leave_circle(ctx: Ctx, circle: Circle, *, reason: str = "") -> None:
    memberships = await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=ctx.member_id,
                                                      program_id=circle.program_id)
    mine = [m for m in memberships if m.circle_id == circle.id and m.status == CircleMemberStatus.ACTIVE]
    if not mine:
        if any(m.circle_id == circle.id and m.status == CircleMemberStatus.LEFT for m in memberships):
            raise UserError("circles_left.already", circle=circle.name)  # a second Leave, e.g. an older form
        raise UserError("circles.not_in_circle")
    membership = mine[0]
    membership.status, membership.left_at = CircleMemberStatus.LEFT, ctx.now
    membership.left_reason = reason[: ctx.services.config.max_free_text] or None  # admins only
    ctx.uow.circles.add(membership)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="circle.left",
                         actor_member_id=ctx.member_id, detail={"circle_id": circle.id})
    await ctx.uow.flush()
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=circle.program_id)
    if program is not None:
        await after_departure(ctx, program, circle, member_id=ctx.member_id, key=f"left:{circle.id}:{membership.id}")


async def after_departure(ctx: Ctx, program: Program, circle: Circle, *, member_id: int, key: str) -> None:
    """Someone is no longer in the circle (they left, or an admin moved them): the circle hears only that someone
    left, never who or why; the place goes to whoever waits longest and fits; admins hear of a circle too small."""
    if circle.moderator_member_id == member_id:
        circle.moderator_member_id = None
        ctx.uow.circles.add(circle)
    if circle.space:  # in the circle's language (the workspace's), not the leaver's or the admin's
        t = Translator(resolve_locale(ctx.workspace.locale))
        await post(ctx, target=Target.from_key(circle.space), key=key, kind="announcement",
                   message=Message(text=t("circles.someone_left")))
    await fill_places(ctx, program)
    await flag_if_small(ctx, program, circle)


async def flag_if_small(ctx: Ctx, program: Program, circle: Circle) -> None:
    remaining = len(await ctx.uow.circles.memberships(circle_id=circle.id or 0))
    if remaining >= program.size_min or circle.status != CircleStatus.ACTIVE:
        return
    await notify_admins(ctx, key=f"small:{circle.id}:{remaining}", kind="admin", program_id=program.id,
                        build=lambda t: Message(text=t.n("circles.below_minimum", remaining, circle=circle.name,
                                                         count=remaining, minimum=program.size_min, id=circle.id)))


async def on_program_leave(ctx: Ctx, program: Program) -> None:
    """Leaving a program also leaves its circle."""
    for membership in await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=ctx.member_id,
                                                          program_id=program.id):
        if membership.status == CircleMemberStatus.ACTIVE:
            circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=membership.circle_id)
            if circle is not None:
                await leave_circle(ctx, circle)


async def retry(ctx: Ctx, args: str) -> list[Response]:
    """Admins: `circle retry <circle number>` opens a circle's space again after the platform refused it."""
    number = args.strip().lstrip("#")
    if not number.isdigit():
        raise UserError("spaces.usage")
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=int(number))
    program = (await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=circle.program_id)
               if circle else None)
    if circle is None or program is None:
        raise UserError("spaces.not_found", circle=number)
    if not await retry_space(ctx, program, circle):
        return [Reply(Message(text=ctx.t("spaces.has_space", circle=circle.name)))]
    return [Reply(Message(text=ctx.t("spaces.retrying", circle=circle.name)))]
