"""Launching a circle: its space, the welcome with each member's "why", moderator selection."""

from __future__ import annotations

import logging

from bot.circles.moderators import setup_moderators
from bot.kernel.admins import notify_admins
from bot.kernel.calendar import session_time
from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Fields, Header, Message, Text
from bot.kernel.outbox import post
from bot.kernel.ports import DeliveryError, SpaceRef, Target
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
    """Open the circle's space, add its members, queue the welcome, and start moderator selection."""
    memberships = await ctx.uow.circles.memberships(circle_id=circle.id or 0)
    members = {m.id: m for m in await ctx.uow.members.many(workspace_id=ctx.workspace_id,
                                                           member_ids=[cm.member_id for cm in memberships])}
    theme = await ctx.uow.themes.get(workspace_id=ctx.workspace_id, theme_id=circle.theme_id or 0)
    theme_title = theme.title if theme else circle.name
    parent = Target.from_key(program.announcement_target) if program.announcement_target else None
    space: SpaceRef | None = None
    # A channel the platform creates cannot be rolled back, so the circle must be on record before it exists;
    # committing here also frees SQLite's write lock for messengers that store what they create (Teams).
    await ctx.uow.commit()
    try:
        space = await ctx.services.messenger.open_space(
            workspace_id=ctx.workspace.external_id, platform=ctx.workspace.platform,
            name=slugify(f"{program.slug}-{circle.name}", max_length=70),
            members=[members[cm.member_id].external_id for cm in memberships if cm.member_id in members],
            private=True, parent=parent)
        circle.space = space.target.key()
    except DeliveryError as error:
        log.warning("could not open a space for circle %s: %s", circle.id, error)
        await notify_admins(ctx, key=f"space-failed:{circle.id}", kind="admin", program_id=program.id,
                            build=lambda t: Message(text=t("formation.space_failed", circle=circle.name)))
    skipped = list(space.skipped) if space else []  # platforms report members they could not add
    if skipped:
        await notify_admins(ctx, key=f"space-skipped:{circle.id}", kind="admin", program_id=program.id,
                            build=lambda t: Message(text=t("formation.space_skipped", circle=circle.name,
                                                           users=", ".join(f"<@{u}>" for u in skipped))))
    ctx.uow.session.add(circle)
    locale = resolve_locale(ctx.workspace.locale)
    ordered = [(members[cm.member_id], cm.why) for cm in memberships if cm.member_id in members]
    if circle.space:
        await post(ctx, target=Target.from_key(circle.space), key=f"welcome:{circle.id}", kind="welcome",
                   program_id=program.id, message=welcome_message(Translator(locale), program=program, circle=circle,
                                                                  theme=theme_title, members=ordered))
    await setup_moderators(ctx, program, circle, [m for m, _ in ordered])


async def active_members(ctx: Ctx, circle: Circle) -> list[CircleMember]:
    return await ctx.uow.circles.memberships(circle_id=circle.id or 0, statuses=(CircleMemberStatus.ACTIVE,))
