"""From a program's enrollments to running circles: run formation, open spaces, welcome members, set moderators."""

from __future__ import annotations

import logging
from functools import partial

from bot import formation
from bot.availability import available_utc_hours
from bot.calendar import first_meeting_day, session_time
from bot.context import Ctx
from bot.i18n import Translator, format_moment, resolve_locale
from bot.messages import Fields, Header, Message, Text
from bot.moderators import setup_moderators
from bot.notify import dm, notify_admins, post
from bot.ports import DeliveryError, SpaceRef, Target
from bot.text_keys import slugify
from storage.tables import Circle, CircleMember, CircleMemberStatus, Member, Program, Theme, ThemeMode

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
    times = [f"{m.display_name or m.external_id}: {format_moment(first, timezone=m.timezone, locale=t.locale)}"
             for m, _ in members]
    whys = [f"{m.display_name or m.external_id}: {why_line(t, why, theme)}" for m, why in members]
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


async def _preferences(ctx: Ctx, program: Program, selected: dict[int, Theme]) -> dict[int, tuple[int, ...]]:
    """A member's ranked choices: the selected themes they approved, in the order they voted for them."""
    prefs: dict[int, list[int]] = {}
    for vote in await ctx.uow.themes.votes_of_program(program_id=program.id or 0):
        if vote.theme_id in selected:
            prefs.setdefault(vote.member_id, []).append(vote.theme_id)
    return {member: tuple(themes) for member, themes in prefs.items()}


async def form_program(ctx: Ctx, program: Program) -> str:
    assert program.id is not None
    if program.theme_mode == ThemeMode.SELF_SELECT:
        from bot.self_select import finish_self_select

        return await finish_self_select(ctx, program)
    selected = {t.id or 0: t for t in await ctx.uow.themes.selected(workspace_id=ctx.workspace_id,
                                                                    program_id=program.id)}
    enrollments = await ctx.uow.enrollments.of_program(workspace_id=ctx.workspace_id, program_id=program.id)
    members = {m.id or 0: m for m in await ctx.uow.members.many(workspace_id=ctx.workspace_id,
                                                                member_ids=[e.member_id for e in enrollments])}
    prefs = await _preferences(ctx, program, selected)
    day = first_meeting_day(program)
    candidates = [formation.Candidate(member_id=mid, theme_prefs=prefs.get(mid, ()), department=m.department or "-",
                                      seniority=m.seniority, available_utc_hours=available_utc_hours(m, day))
                  for mid, m in sorted(members.items())]
    recent = await ctx.uow.circles.past_pairs(workspace_id=ctx.workspace_id, exclude_program_id=program.id)
    result = formation.form_circles(
        candidates=candidates, theme_ids=sorted(selected),
        sizes=formation.Sizes(min=program.size_min, target=program.size_target, max=program.size_max),
        recent_pairs=frozenset(recent), seed=program.id,
    )
    circles: list[Circle] = []
    counters: dict[int, int] = {}
    for formed in result.circles:
        theme = selected[formed.theme_id]
        counters[formed.theme_id] = counters.get(formed.theme_id, 0) + 1
        circle = Circle(workspace_id=ctx.workspace_id, program_id=program.id, theme_id=theme.id,
                        name=f"{theme.title} {counters[formed.theme_id]}", capacity=program.size_max,
                        created_at=ctx.now)
        ctx.uow.circles.add(circle)
        await ctx.uow.flush()
        for member_id in formed.member_ids:
            why = result.why[member_id]
            ctx.uow.circles.add(CircleMember(
                workspace_id=ctx.workspace_id, program_id=program.id, circle_id=circle.id or 0, member_id=member_id,
                joined_at=ctx.now, why={"code": why.code, "rank": why.rank,
                                        "mixed_departments": why.mixed_departments,
                                        "shared_hours": why.shared_hours}))
        circles.append(circle)
    await ctx.uow.flush()
    for circle in circles:
        await launch_circle(ctx, program, circle)
    for unplaced in result.unplaced:
        member = members[unplaced.member_id]
        await dm(ctx, member=member, key=f"unplaced:{program.id}:{member.id}", kind="dm", program_id=program.id,
                 build=partial(_unplaced_message, program=program, code=unplaced.code))
    satisfaction = formation.preference_satisfaction(candidates=candidates, result=result)
    return ctx.t("formation.summary", program=program.name, circles=len(circles),
                 placed=len(result.why), unplaced=len(result.unplaced), satisfaction=round(satisfaction * 100))


def _unplaced_message(t: Translator, *, program: Program, code: str) -> Message:
    return Message(text=t("formation.unplaced", program=program.name, reason=t(f"formation.unplaced.{code}")))


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
    skipped = list(getattr(space, "skipped", None) or [])  # platforms report members they could not add
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
