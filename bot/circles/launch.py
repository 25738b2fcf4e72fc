"""Launching a circle: its space (after the commit), the welcome with each member's "why", moderator selection."""

from __future__ import annotations

import logging
from functools import partial

from bot.circles.moderators import setup_moderators
from bot.kernel.admins import notify_admins
from bot.kernel.calendar import session_time
from bot.kernel.context import Ctx, SpaceRequest
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Fields, Header, Message, Text
from bot.kernel.outbox import post
from bot.kernel.ports import SpaceRef, Target
from bot.kernel.text_keys import slugify
from storage.tables import Circle, CircleMember, CircleMemberStatus, Member, Program

log = logging.getLogger(__name__)


def why_line(t: Translator, why: dict[str, object], theme: str) -> str:
    code = str(why.get("code", "no_preference"))
    parts = [t(f"formation.why.{code}", theme=theme)]
    if int(str(why.get("mixed_departments", 0))) > 1:
        parts.append(t("formation.why.departments", count=why["mixed_departments"]))
    if int(str(why.get("shared_hours", 0))) >= 2:
        parts.append(t("formation.why.hours", hours=why["shared_hours"]))
    return "; ".join(parts)


def welcome_message(t: Translator, *, program: Program, circle: Circle, theme: str,
                    members: list[tuple[Member, dict[str, object]]]) -> Message:
    first = session_time(program, 0)
    rules = " · ".join(x for x in (program.rules_frequency, program.rules_duration, program.rules_topics) if x)
    times = [f"{m.name}: {format_moment(first, timezone=m.timezone, locale=t.locale)}"
             for m, _ in members]
    whys = [f"{m.name}: {why_line(t, why, theme)}" for m, why in members]
    moderation = t(f"formation.moderation.{program.moderator_mode}")
    fields = [(t("formation.theme"), theme), (t("formation.members"), str(len(members)))]
    if program.video_link:
        fields.append((t("formation.video"), program.video_link))
    if rules:
        fields.append((t("program.field.rules"), rules))
    text = "\n".join([t("formation.welcome", circle=circle.name, theme=theme, program=program.name),
                      *(f"{label}: {value}" for label, value in fields[2:]),
                      t("formation.first_session"), *times, t("formation.why_title"), *whys, moderation])
    return Message(text=text, blocks=(
        Header(t("formation.welcome_title", circle=circle.name)),
        Text(t("formation.welcome", circle=circle.name, theme=theme, program=program.name)),
        Fields(tuple(fields)),
        Text(t("formation.first_session") + "\n" + "\n".join(times)),
        Text(t("formation.why_title") + "\n" + "\n".join(whys)),
        Text(moderation),
    ))


async def launch_circle(ctx: Ctx, program: Program, circle: Circle) -> None:
    """Ask for the circle's space once this unit of work commits; the step then queues the welcome and starts
    moderator selection."""
    memberships = await ctx.uow.circles.memberships(circle_id=circle.id or 0)
    members = {m.id: m for m in await ctx.uow.members.many(workspace_id=ctx.workspace_id,
                                                           member_ids=[cm.member_id for cm in memberships])}
    theme = await ctx.uow.themes.get(workspace_id=ctx.workspace_id, theme_id=circle.theme_id or 0)
    ordered = [(members[cm.member_id], cm.why) for cm in memberships if cm.member_id in members]
    parent = Target.from_key(program.announcement_target) if program.announcement_target else None
    # A channel the platform creates cannot be rolled back, so the circle must be on record before it exists,
    # and no transaction may be open meanwhile (Teams stores what it creates): the space opens after the commit.
    request = SpaceRequest(name=slugify(f"{program.slug}-{circle.name}", max_length=70),
                           members=tuple(m.external_id for m, _ in ordered), private=True, parent=parent)
    ctx.after_commit(partial(_launched, program=program, circle_id=circle.id or 0,
                             theme=theme.title if theme else circle.name, ordered=ordered), space=request)


async def _launched(ctx: Ctx, space: SpaceRef | None, *, program: Program, circle_id: int, theme: str,
                    ordered: list[tuple[Member, dict[str, object]]]) -> None:
    """The step after the space opened (or did not): record it, tell the admins what went wrong, welcome."""
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=circle_id)
    assert circle is not None  # committed by the unit of work that asked for this step
    if space is None:
        log.warning("could not open a space for circle %s", circle.id)
        await notify_admins(ctx, key=f"space-failed:{circle.id}", kind="admin", program_id=program.id,
                            build=lambda t: Message(text=t("formation.space_failed", circle=circle.name)))
    else:
        circle.space = space.target.key()
    skipped = list(space.skipped) if space else []  # platforms report members they could not add
    if skipped:
        await notify_admins(ctx, key=f"space-skipped:{circle.id}", kind="admin", program_id=program.id,
                            build=lambda t: Message(text=t("formation.space_skipped", circle=circle.name,
                                                           users=", ".join(f"<@{u}>" for u in skipped))))
    ctx.uow.session.add(circle)
    locale = resolve_locale(ctx.workspace.locale)
    if circle.space:
        await post(ctx, target=Target.from_key(circle.space), key=f"welcome:{circle.id}", kind="welcome",
                   program_id=program.id, message=welcome_message(Translator(locale), program=program, circle=circle,
                                                                  theme=theme, members=ordered))
    await setup_moderators(ctx, program, circle, [m for m, _ in ordered])


async def active_members(ctx: Ctx, circle: Circle) -> list[CircleMember]:
    return await ctx.uow.circles.memberships(circle_id=circle.id or 0, statuses=(CircleMemberStatus.ACTIVE,))
