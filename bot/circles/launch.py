"""Launching a circle: its space (after the commit), the welcome with each member's "why", moderator selection."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from bot.circles.circle_why import circle_whys, names
from bot.circles.moderators import setup_moderators
from bot.kernel.calendar import group_timetable, session_time
from bot.kernel.config import CoreConfig
from bot.kernel.context import Ctx, Scope, Services, SpaceRequest
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Fields, Header, Message, Text
from bot.kernel.outbox import Outgoing, enqueue_many, post
from bot.kernel.planning import PlanContext
from bot.kernel.ports import DeliveryError, SpaceRef, SpaceUnsupported, Target
from bot.kernel.spaces import FIRST_RETRY, LEASE, WORKER, needs_home, open_after_commit, queue_space_change, tell_admins
from bot.kernel.text_keys import slugify
from storage.repositories import forming as bulk
from storage.repositories import outbox_claims as claims
from storage.repositories.outbox import opened_ref, read_opened, space_key, space_of
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    CircleStatus,
    Delivery,
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


def welcome_message(t: Translator, *, program: Program, circle: Circle, theme: str,
                    members: list[tuple[Member, dict[str, object]]]) -> Message:
    first = session_time(group_timetable(program, circle), 0)
    rules = " · ".join(x for x in (program.rules_frequency, program.rules_duration, program.rules_topics) if x)
    local: dict[str, list[str]] = {}  # one line per local time, naming who has it, not one line per member
    for m, _ in members:
        local.setdefault(format_moment(first, timezone=m.timezone, locale=t.locale), []).append(m.name)
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
                             row: Delivery | None = None,
                             ordered: list[tuple[Member, dict[str, object]]] | None = None) -> None:
    """Members placed after the space was asked for (late joiners, a merge) were not in the request: add them."""
    row = row or await scope.uow.outbox.by_key(key=space_key("circle", circle.id or 0))
    order = space_of(row) if row is not None else None
    asked = set(order.members) if order is not None else set()
    ordered = ordered if ordered is not None else await _ordered_members(scope, circle)
    late = tuple(m.external_id for m, _ in ordered if m.external_id not in asked)
    if late:
        await queue_space_change(scope, space=space, key=f"space-add:circle:{circle.id}:opened", action="add",
                                 members=late, program_id=program.id)


OPEN_CHUNK = 20  # spaces claimed at once: like the deliverer's claim, at most these are in flight on a crash


async def open_and_welcome(ctx: Ctx, space: SpaceRef | None, *, program: Program, keys: dict[str, int]) -> None:
    """After `program form`'s commit, one step for all its circles (`keys`: space key -> circle id): open each
    space as open_claimed would, then record them and queue every welcome in a few statements."""
    await ctx.uow.commit()  # only the context's reads: no transaction stays open while the platform opens spaces
    opened = await _open_spaces(ctx.services, ctx, list(keys))
    if opened:
        await _welcome_all(ctx, program, {keys[key]: found for key, found in opened.items()})


async def _open_spaces(services: Services, ctx: Ctx, keys: list[str]) -> dict[str, tuple[SpaceRef, Delivery]]:
    """Claim a chunk, open each space on the platform, record the chunk's outcomes (the failures one by one, as
    open_claimed does); a space another worker holds, or no longer due, is left to it."""
    opened: dict[str, tuple[SpaceRef, Delivery]] = {}
    for start in range(0, len(keys), OPEN_CHUNK):
        now = services.clock.now()
        claimed = await bulk.claim_keys(services.uow, keys=keys[start:start + OPEN_CHUNK], worker_id=WORKER,
                                        now=now, lease_until=now + LEASE)
        done: list[tuple[int, str]] = []
        try:
            for key in keys[start:start + OPEN_CHUNK]:
                row = claimed.get(key)
                space = await _open_one(services, ctx, row) if row is not None else None
                if row is not None and space is not None:
                    done.append((row.id or 0, opened_ref(space.target.key(), space.skipped)))
                    opened[key] = (space, row)
        finally:  # what the platform opened is on record even if a later open raised
            await bulk.mark_opened(services.uow, opened=done, worker_id=WORKER, now=services.clock.now())
    return opened


async def _open_one(services: Services, ctx: Ctx, row: Delivery) -> SpaceRef | None:
    order = space_of(row)
    if order is None or row.id is None:
        return None
    try:
        return await services.messenger.open_space(
            workspace_id=ctx.workspace.external_id, platform=ctx.workspace.platform, name=order.name,
            members=list(order.members), private=order.private,
            parent=Target.from_key(order.parent) if order.parent else None, group_chat=order.group_chat)
    except DeliveryError as error:
        described = f"{type(error).__name__}: {error}"
        log.warning("could not open space %s yet: %s", row.id, described)
        if isinstance(error, SpaceUnsupported):  # by design on this platform: the owner falls back quietly
            await claims.mark_failed(services.uow, delivery_id=row.id, worker_id=WORKER, error=described,
                                     status=DeliveryStatus.SKIPPED)
        elif error.permanent:
            await claims.mark_failed(services.uow, delivery_id=row.id, worker_id=WORKER, error=described)
        else:
            wait = timedelta(seconds=error.retry_after) if error.retry_after is not None else FIRST_RETRY
            await claims.mark_retry(services.uow, delivery_id=row.id, worker_id=WORKER,
                                    at=services.clock.now() + wait, error=described)
        return None


async def _welcome_all(ctx: Ctx, program: Program, opened: dict[int, tuple[SpaceRef, Delivery]]) -> None:
    """_record_space for many circles: their rows, members and themes read once, the welcomes queued together."""
    circles = [c for c in await bulk.circles_by_id(ctx.uow, workspace_id=ctx.workspace_id, circle_ids=sorted(opened))
               if not c.space]
    memberships = await bulk.memberships_of(ctx.uow, circle_ids=[c.id or 0 for c in circles])
    people = {m.id: m for m in await ctx.uow.members.many(workspace_id=ctx.workspace_id,
                                                          member_ids=[cm.member_id for cm in memberships])}
    ordered: dict[int, list[tuple[Member, dict[str, object]]]] = {}
    for cm in memberships:
        if cm.member_id in people:
            ordered.setdefault(cm.circle_id, []).append((people[cm.member_id], cm.why))
    titles = {t.id: t.title for t in await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id,
                                                                    program_id=program.id or 0)}
    t = Translator(resolve_locale(ctx.workspace.locale))
    welcomes: list[Outgoing] = []
    for circle in circles:
        space, row = opened[circle.id or 0]
        circle.space = space.target.key()
        ctx.uow.circles.add(circle)
        await _tell_skipped(ctx, ctx.services.config, program, circle, space.skipped)
        members = ordered.get(circle.id or 0, [])
        await _invite_latecomers(ctx, program, circle, circle.space, row=row, ordered=members)
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
