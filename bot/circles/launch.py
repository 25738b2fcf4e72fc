"""Launching a circle: its space (after the commit), the welcome with each member's "why", moderator selection."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache, partial

from bot.circles.circle_why import circle_whys, names
from bot.circles.moderators import setup_moderators
from bot.kernel.calendar import group_timetable, session_time
from bot.kernel.config import CoreConfig
from bot.kernel.context import Ctx, Scope, SpaceRequest
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Fields, Header, Message, Text
from bot.kernel.outbox import Outgoing, enqueue_many, post
from bot.kernel.planning import PlanContext
from bot.kernel.ports import SpaceRef, Target
from bot.kernel.spaces import needs_home, open_after_commit, queue_space_change, tell_admins
from bot.kernel.text_keys import slugify
from storage.repositories import forming as bulk
from storage.repositories.outbox import SpaceOrder, read_opened, space_key, space_of
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    DeliveryStatus,
    Member,
    ModeratorMode,
    Program,
)

log = logging.getLogger(__name__)


def why_line(t: Translator, why: dict[str, object], theme: str) -> str:
    code = str(why.get("code", "no_preference"))
    parts = [t(f"formation.why.{code}", theme=theme)]
    if int(str(why.get("mixed_departments", 0))) > 1:
        parts.append(t("formation.why.departments", count=why["mixed_departments"]))
    if int(str(why.get("shared_hours", 0))) >= 2:
        parts.append(t("formation.why.hours", hours=why["shared_hours"]))
    return "; ".join(parts)


@lru_cache(maxsize=4096)
def _moment(first: datetime, timezone: str, locale: str) -> str:
    """format_moment is pure and costly (babel): a formation's circles share their first sessions and zones."""
    return format_moment(first, timezone=timezone, locale=locale)


def welcome_message(t: Translator, *, program: Program, circle: Circle, theme: str,
                    members: list[tuple[Member, dict[str, object]]]) -> Message:
    first = session_time(group_timetable(program, circle), 0)
    rules = " · ".join(x for x in (program.rules_frequency, program.rules_duration, program.rules_topics) if x)
    local: dict[str, list[str]] = {}  # one line per local time, naming who has it, not one line per member
    for m, _ in members:
        local.setdefault(_moment(first, m.timezone, t.locale), []).append(m.name)
    times = [f"• {when}: {names(t, people)}" for when, people in local.items()]
    whys = [f"• {line}" for line in circle_whys(t, members, theme)]  # a shared channel: each reason once
    moderation = t(f"formation.moderation.{program.moderator_mode}")
    moderator = next((m for m, _ in members if m.id is not None and m.id == circle.moderator_member_id), None)
    if program.moderator_mode == ModeratorMode.APPOINTED and moderator is not None:
        moderation = t("formation.moderation.appointed_named", name=moderator.name)
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
    """Put the circle's space on record as a durable delivery and set up its moderator; the space opens after the
    commit (or, if the platform fails, when the deliverer retries it), and then the welcome is queued."""
    ordered = await _ordered_members(ctx, circle)
    parent = Target.from_key(program.announcement_target) if program.announcement_target else None
    # A channel the platform creates cannot be rolled back, so the circle must be on record before it exists,
    # and no transaction may be open meanwhile (Teams stores what it creates): the space opens after the commit.
    request = SpaceRequest(name=slugify(f"{program.slug}-{circle.name}", max_length=70),
                           members=tuple(m.external_id for m, _ in ordered), private=True, parent=parent,
                           key=space_key("circle", circle.id or 0))
    # The moderator does not need the space: elections post there only once it exists.
    await setup_moderators(ctx, program, circle, [m for m, _ in ordered])
    await open_after_commit(ctx, partial(_launched, program=program, circle_id=circle.id or 0), request=request,
                            program_id=program.id)


async def _ordered_members(scope: Scope, circle: Circle) -> list[tuple[Member, dict[str, object]]]:
    memberships = await scope.uow.circles.memberships(circle_id=circle.id or 0)
    members = {m.id: m for m in await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                             member_ids=[cm.member_id for cm in memberships])}
    return [(members[cm.member_id], cm.why) for cm in memberships if cm.member_id in members]


async def _launched(ctx: Ctx, space: SpaceRef | None, *, program: Program, circle_id: int) -> None:
    """Right after the commit, the platform opened the space: record it and welcome the circle."""
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=circle_id)
    if circle is not None and space is not None and not circle.space:
        await _record_space(ctx, ctx.services.config, program, circle, space.target.key(), list(space.skipped))


async def _record_space(scope: Scope, config: CoreConfig, program: Program, circle: Circle, space: str,
                        skipped: list[str]) -> None:
    """The circle has its space now: keep it, tell the admins who could not be added, queue the welcome."""
    circle.space = space
    scope.uow.circles.add(circle)
    await _tell_skipped(scope, config, program, circle, skipped)
    await _invite_latecomers(scope, program, circle, space)
    theme = await scope.uow.themes.get(workspace_id=scope.workspace_id, theme_id=circle.theme_id or 0)
    t = Translator(resolve_locale(scope.workspace.locale))
    await post(scope, target=Target.from_key(space), key=f"welcome:{circle.id}", kind="welcome", program_id=program.id,
               message=welcome_message(t, program=program, circle=circle, theme=theme.title if theme else circle.name,
                                       members=await _ordered_members(scope, circle)))


async def _tell_skipped(scope: Scope, config: CoreConfig, program: Program, circle: Circle,
                        skipped: Sequence[str]) -> None:
    """Platforms report members they could not add: the admins hear who."""
    if skipped:
        users = ", ".join(f"<@{u}>" for u in skipped)
        await tell_admins(scope, config, key=f"space-skipped:{circle.id}", program_id=program.id,
                          build=lambda t: Message(text=t("formation.space_skipped", circle=circle.name, users=users)))


async def _invite_latecomers(scope: Scope, program: Program, circle: Circle, space: str,
                             asked: set[str] | None = None,
                             ordered: list[tuple[Member, dict[str, object]]] | None = None) -> None:
    """Members placed after the space was asked for (late joiners, a merge) were not in the request: add them."""
    if asked is None:
        row = await scope.uow.outbox.by_key(key=space_key("circle", circle.id or 0))
        order = space_of(row) if row is not None else None
        asked = set(order.members) if order is not None else set()
    ordered = ordered if ordered is not None else await _ordered_members(scope, circle)
    late = tuple(m.external_id for m, _ in ordered if m.external_id not in asked)
    if late:
        await queue_space_change(scope, space=space, key=f"space-add:circle:{circle.id}:opened", action="add",
                                 members=late, program_id=program.id)


async def welcome_all(ctx: Ctx, program: Program, opened: dict[int, tuple[SpaceRef, SpaceOrder]],
                       known: dict[int, Member]) -> None:
    """_record_space for many circles (`program form`'s, once their spaces opened: circle id -> the space and what
    was asked of it): their rows, members and themes read once, the welcomes queued together. `known`: the members
    formation read a moment ago (only others, placed since, are read again)."""
    circles = [c for c in await bulk.circles_by_id(ctx.uow, workspace_id=ctx.workspace_id, circle_ids=sorted(opened))
               if not c.space]
    memberships = await bulk.memberships_of(ctx.uow, circle_ids=[c.id or 0 for c in circles])
    people = dict(known)
    people.update({m.id or 0: m for m in await ctx.uow.members.many(
        workspace_id=ctx.workspace_id, member_ids=[m for _, m, _ in memberships if m not in known])})
    ordered: dict[int, list[tuple[Member, dict[str, object]]]] = {}
    for circle_id, member_id, why in memberships:
        if member_id in people:
            ordered.setdefault(circle_id, []).append((people[member_id], why))
    titles = {t.id: t.title for t in await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id,
                                                                    program_id=program.id or 0)}
    t = Translator(resolve_locale(ctx.workspace.locale))
    welcomes: list[Outgoing] = []
    for circle in circles:
        space, order = opened[circle.id or 0]
        circle.space = space.target.key()
        ctx.uow.circles.add(circle)
        await _tell_skipped(ctx, ctx.services.config, program, circle, space.skipped)
        members = ordered.get(circle.id or 0, [])
        await _invite_latecomers(ctx, program, circle, circle.space, asked=set(order.members), ordered=members)
        welcomes.append(Outgoing(key=f"welcome:{circle.id}", kind="welcome", target=space.target, due_at=ctx.now,
                                 message=welcome_message(t, program=program, circle=circle, members=members,
                                                         theme=titles.get(circle.theme_id, circle.name))))
    await enqueue_many(ctx.uow, workspace_id=ctx.workspace_id, program_id=program.id, items=welcomes)


async def settle_spaces(pc: PlanContext) -> int:
    """A planner: finish circles whose space the deliverer opened later (record it, welcome), and tell the admins,
    once per round, about a space that failed for good, with the platform's reason and `circle retry`."""
    done = 0
    for circle in await pc.uow.circles.of_program(workspace_id=pc.workspace_id, program_id=pc.program.id or 0):
        if circle.space:
            continue
        row = await pc.uow.outbox.by_key(key=space_key("circle", circle.id or 0))
        if circle.status != CircleStatus.ACTIVE:  # merged before its space opened: keep it, archived
            if row is not None and row.status == DeliveryStatus.SENT and row.sent_ref:
                circle.space = read_opened(row.sent_ref)[0]
                pc.uow.circles.add(circle)
                await queue_space_change(pc, space=circle.space, key=f"space-archive:circle:{circle.id}",
                                         action="archive", program_id=pc.program.id)
            continue
        if row is not None and row.status == DeliveryStatus.SENT and row.sent_ref:
            space, skipped = read_opened(row.sent_ref)
            await _record_space(pc, pc.config, pc.program, circle, space, skipped)
            done += 1
        elif row is not None and row.status == DeliveryStatus.FAILED:
            await tell_admins(pc, pc.config, key=f"space-failed:{circle.id}:{row.payload.get('round', 0)}",
                              program_id=pc.program.id,
                              build=partial(_failed, program=pc.program, circle=circle, cause=row.last_error or "?",
                                            homeless=_homeless(pc, pc.program)))
    return done


def _homeless(scope: Scope, program: Program) -> bool:
    """A program without a channel on a platform whose circles open in one (Teams without Graph; Slack creates
    a channel per circle anywhere)."""
    return not program.announcement_target and needs_home(scope.workspace)


def _failed(t: Translator, *, program: Program, circle: Circle, cause: str, homeless: bool) -> Message:
    if homeless:  # the fix is a home (`program channel`), not a retry
        return Message(text=t("program_home.space_failed_no_home", circle=circle.name, program=program.name,
                              slug=program.slug))
    return Message(text=t("spaces.failed", circle=circle.name, cause=cause, command=f"circle retry {circle.id}"))


async def retry_space(ctx: Ctx, program: Program, circle: Circle) -> bool:
    """`circle retry`: queue the circle's space again and try it after the commit; False when it has one."""
    if circle.space:
        return False
    key = space_key("circle", circle.id or 0)
    if not await ctx.uow.outbox.reopen(key=key, now=ctx.now):
        row = await ctx.uow.outbox.by_key(key=key)
        if row is not None:  # being opened right now, or opened and waiting for the planner
            return True
        await launch_circle(ctx, program, circle)  # formed before spaces were durable
        return True
    ordered = await _ordered_members(ctx, circle)
    parent = Target.from_key(program.announcement_target) if program.announcement_target else None
    row = await ctx.uow.outbox.by_key(key=key)
    if row is not None:  # the program may have a channel now (`program channel`): the deliverer's retries use it
        row.payload = {**row.payload, "space": {**row.payload["space"], "parent": program.announcement_target or None}}
    request = SpaceRequest(name=slugify(f"{program.slug}-{circle.name}", max_length=70), key=key, parent=parent,
                           members=tuple(m.external_id for m, _ in ordered), private=True)
    ctx.after_commit(partial(_launched, program=program, circle_id=circle.id or 0), space=request)
    return True


async def active_members(ctx: Ctx, circle: Circle) -> list[CircleMember]:
    return await ctx.uow.circles.memberships(circle_id=circle.id or 0, statuses=(CircleMemberStatus.ACTIVE,))
