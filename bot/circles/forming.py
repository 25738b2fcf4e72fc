"""`program form` for circle programs: formation from the votes, then every circle launched after the commit."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from time import monotonic

from bot.circles import formation
from bot.circles.hours_notices import outside_cases, own_time_summary, tell_outside
from bot.circles.launch import welcome_all
from bot.circles.moderators import NOMINATION_DAYS, VOTING_DAYS, rotation
from bot.circles.orientation import moderator_orientation, orientation_key
from bot.circles.own_time import give_own_time
from bot.circles.preview import formation_inputs, run_formation
from bot.circles.self_select import finish_self_select
from bot.circles.voters import Placed, recorded_why, tell_voters
from bot.kernel.context import Ctx, Services
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from bot.kernel.outbox import dm, user_target
from bot.kernel.ports import DeliveryError, SpaceRef, SpaceUnsupported, Target
from bot.kernel.spaces import FIRST_RETRY, LEASE, WORKER
from bot.kernel.text_keys import slugify
from storage.repositories import forming as bulk
from storage.repositories import outbox_claims as claims
from storage.repositories.outbox import SPACE_KIND, SpaceOrder, opened_ref, pending_values, space_key
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    DeliveryStatus,
    Election,
    ElectionStatus,
    Member,
    ModeratorMode,
    Program,
    ProgramFormat,
    Theme,
    ThemeMode,
)

log = logging.getLogger(__name__)


async def form_program(ctx: Ctx, program: Program) -> str:
    assert program.id is not None
    if program.theme_mode == ThemeMode.SELF_SELECT:
        return await finish_self_select(ctx, program)
    # The same reading and the same call as the dashboard's preview, so what an admin confirmed is what forms.
    inputs = await formation_inputs(ctx.uow, workspace_id=ctx.workspace_id, program=program)
    result = run_formation(program, inputs)
    selected, members, votes, candidates = inputs.selected, inputs.members, inputs.votes, inputs.candidates
    circles, placed, outside = await _record(ctx, program, result, selected, votes, members)
    cases = await outside_cases(ctx, program, outside)
    await tell_outside(ctx, program, cases, key=f"form:{program.id}")
    if result.unplaced:  # a step after the launch steps, so the deliveries keep their order
        ctx.after_commit(partial(_tell_unplaced, program=program, none_formed=not circles,
                                 unplaced=[(members[u.member_id], u.code) for u in result.unplaced]))
    await tell_voters(ctx, program, members=members, placed=placed, votes=votes)
    satisfaction = formation.preference_satisfaction(candidates=candidates, result=result)
    summary = ctx.t.n("formation.summary", len(circles), program=program.name, circles=len(circles),
                      placed=len(result.why), unplaced=len(result.unplaced), satisfaction=round(satisfaction * 100))
    return own_time_summary(ctx.t, summary, circles, outside=len(cases))


async def _record(ctx: Ctx, program: Program, result: formation.FormationResult, selected: dict[int, Theme],
                  votes: dict[int, tuple[int, ...]], members: dict[int, Member],
                  ) -> tuple[list[Circle], dict[int, Placed], list[tuple[Circle, tuple[Member, ...]]]]:
    """The formed circles and their members, each with why they are there (by all of their votes), and each
    circle's own time from its members' working hours, with who still meets outside theirs. Written set-based
    (issue 18): the circles in one INSERT per 1,000, then the memberships likewise."""
    circles: list[Circle] = []
    people: list[list[Member]] = []
    outside: list[tuple[Circle, tuple[Member, ...]]] = []
    counters: dict[int, int] = {}
    for found in result.circles:
        theme = selected[found.theme_id]
        counters[found.theme_id] = counters.get(found.theme_id, 0) + 1
        circle = Circle(workspace_id=ctx.workspace_id, program_id=program.id or 0, theme_id=theme.id,
                        name=f"{theme.title} {counters[found.theme_id]}", capacity=program.size_max,
                        created_at=ctx.now, schedule=[])  # given: pydantic inspects a default factory each time
        people.append([members[m] for m in found.member_ids])
        outside.append((circle, give_own_time(program, circle, people[-1])))
        circle.moderator_member_id = first_moderator(program, people[-1])
        circles.append(circle)
    await bulk.insert_circles(ctx.uow, circles)
    placed: dict[int, Placed] = {}
    rows: list[dict[str, object]] = []
    formed = {c.theme_id for c in result.circles}
    for circle, found in zip(circles, result.circles, strict=True):
        for member_id in found.member_ids:
            why = recorded_why(result.why[member_id], votes.get(member_id, ()), found.theme_id, formed)
            placed[member_id] = Placed(circle=circle, theme=selected[found.theme_id].title, why=why)
            rows.append({"workspace_id": ctx.workspace_id, "program_id": program.id or 0, "circle_id": circle.id,
                         "member_id": member_id, "status": CircleMemberStatus.ACTIVE, "why": why,
                         "joined_at": ctx.now, "left_at": None, "left_reason": None})
    await bulk.insert_rows(ctx.uow, CircleMember, rows)
    await _launch_all(ctx, program, list(zip(circles, people, strict=True)))
    return circles, placed, outside


def first_moderator(program: Program, members: list[Member]) -> int | None:
    """setup_moderators' choice, made before the circle is written (the moderator is a column of the circle)."""
    if not members:
        return None
    if program.moderator_mode == ModeratorMode.APPOINTED:  # the most senior member, earliest joined on ties
        return sorted(members, key=lambda m: (-m.seniority, m.id or 0))[0].id
    if program.moderator_mode == ModeratorMode.ROTATING:
        return rotation(members, 0).id
    return None


async def _launch_all(ctx: Ctx, program: Program, formed: list[tuple[Circle, list[Member]]]) -> None:
    """launch_circle for every formed circle at once: elections, appointed moderators' orientations and the
    spaces queued in a few statements (an orientation before its circle's space, as launch_circle queues
    them), then one step after the commit opens the spaces and welcomes each circle (launch.open_and_welcome)."""
    workspace, elections, rows, keys = ctx.workspace, [], [], {}
    parent = Target.from_key(program.announcement_target).key() if program.announcement_target else None
    for circle, members in formed:
        if not members:
            continue
        if program.moderator_mode == ModeratorMode.ELECTED:
            elections.append({"workspace_id": ctx.workspace_id, "circle_id": circle.id, "round": 1,
                              "status": ElectionStatus.NOMINATING, "winner_member_id": None, "created_at": ctx.now,
                              "nominations_close_at": ctx.now + timedelta(days=NOMINATION_DAYS),
                              "voting_closes_at": ctx.now + timedelta(days=NOMINATION_DAYS + VOTING_DAYS)})
        moderator = next((m for m in members if m.id == circle.moderator_member_id), None)
        if program.moderator_mode == ModeratorMode.APPOINTED and moderator is not None and not moderator.erased:
            t = Translator(resolve_locale(moderator.locale, workspace.locale))
            message = moderator_orientation(t, program=program, circle=circle, how="appointed")
            rows.append(pending_values(
                workspace_id=ctx.workspace_id, key=orientation_key(circle, moderator), kind="orientation",
                target=user_target(workspace, moderator.external_id).key(), payload=encode(message),
                due_at=ctx.now, program_id=program.id, member_id=moderator.id))
        key = space_key("circle", circle.id or 0)
        waiting = Target(platform=workspace.platform, workspace_id=workspace.external_id, kind="space",
                         ref=f"new:{key}")  # as kernel.spaces.queue_space records a space to open
        rows.append(pending_values(
            workspace_id=ctx.workspace_id, key=key, kind=SPACE_KIND, target=waiting.key(), program_id=program.id,
            due_at=ctx.now, payload={"round": 0, "space": {
                "name": slugify(f"{program.slug}-{circle.name}", max_length=70),
                "members": [m.external_id for m in members], "private": True, "parent": parent,
                "group_chat": False}}))
        keys[key] = circle.id or 0
    await bulk.insert_rows(ctx.uow, Election, elections)
    await ctx.uow.outbox.add_many(rows)
    if keys:
        known = {m.id or 0: m for _, members in formed for m in members}
        ctx.after_commit(partial(open_and_welcome, program=program, keys=keys, known=known))


# Spaces claimed at once: at most these are in flight on a crash (the deliverer's claims take up to 10,000).
FIRST_CHUNK, MAX_CHUNK = 10, 500


async def open_and_welcome(ctx: Ctx, space: SpaceRef | None, *, program: Program, keys: dict[str, int],
                           known: dict[int, Member]) -> None:
    """After `program form`'s commit, one step for all its circles (`keys`: space key -> circle id): open each
    space as open_claimed would, then record them and queue every welcome in a few statements. `known`: the
    members formation read a moment ago."""
    await ctx.uow.commit()  # only the context's reads: no transaction stays open while the platform opens spaces
    opened = await _open_spaces(ctx.services, ctx, list(keys))
    if opened:
        await welcome_all(ctx, program, {keys[key]: found for key, found in opened.items()}, known)


async def _open_spaces(services: Services, ctx: Ctx, keys: list[str]) -> dict[str, tuple[SpaceRef, SpaceOrder]]:
    """Claim a chunk, open each space on the platform, record the chunk's outcomes (the failures one by one, as
    open_claimed does); a space another worker holds, or no longer due, is left to it."""
    opened: dict[str, tuple[SpaceRef, SpaceOrder]] = {}
    start, size = 0, FIRST_CHUNK
    while start < len(keys):
        chunk, start, began = keys[start:start + size], start + size, monotonic()
        now = services.clock.now()
        claimed = await bulk.claim_keys(services.uow, keys=chunk, worker_id=WORKER, now=now, lease_until=now + LEASE)
        done: list[tuple[int, str]] = []
        try:
            for key in chunk:
                row = claimed.get(key)
                if row is None or row.order is None:
                    continue
                space = await _open_one(services, ctx, row.delivery_id, row.order)
                if space is not None:
                    done.append((row.delivery_id, opened_ref(space.target.key(), space.skipped)))
                    opened[key] = (space, row.order)
        finally:  # what the platform opened is on record even if a later open raised
            await bulk.mark_opened(services.uow, opened=done, worker_id=WORKER, now=services.clock.now())
        size = _next_size(len(chunk), monotonic() - began)
    return opened


def _next_size(size: int, seconds: float) -> int:
    """As many spaces as the last chunk's pace opens in a tenth of the lease (a platform that throttles gets
    small chunks, so none outlives its lease), between FIRST_CHUNK and MAX_CHUNK."""
    fits = LEASE.total_seconds() / 10 / max(seconds / size, 1e-6)
    return max(FIRST_CHUNK, min(MAX_CHUNK, int(fits)))


async def _open_one(services: Services, ctx: Ctx, delivery_id: int, order: SpaceOrder) -> SpaceRef | None:
    try:
        return await services.messenger.open_space(
            workspace_id=ctx.workspace.external_id, platform=ctx.workspace.platform, name=order.name,
            members=list(order.members), private=order.private,
            parent=Target.from_key(order.parent) if order.parent else None, group_chat=order.group_chat)
    except DeliveryError as error:
        described = f"{type(error).__name__}: {error}"
        log.warning("could not open space %s yet: %s", delivery_id, described)
        if isinstance(error, SpaceUnsupported):  # by design on this platform: the owner falls back quietly
            await claims.mark_failed(services.uow, delivery_id=delivery_id, worker_id=WORKER, error=described,
                                     status=DeliveryStatus.SKIPPED)
        elif error.permanent:
            await claims.mark_failed(services.uow, delivery_id=delivery_id, worker_id=WORKER, error=described)
        else:
            wait = timedelta(seconds=error.retry_after) if error.retry_after is not None else FIRST_RETRY
            await claims.mark_retry(services.uow, delivery_id=delivery_id, worker_id=WORKER,
                                    at=services.clock.now() + wait, error=described)
        return None


async def _tell_unplaced(ctx: Ctx, space: SpaceRef | None, *, program: Program, none_formed: bool,
                         unplaced: list[tuple[Member, str]]) -> None:
    for member, code in unplaced:
        await dm(ctx, member=member, key=f"unplaced:{program.id}:{member.id}", kind="dm", program_id=program.id,
                 build=partial(_unplaced_message, program=program, code=code, none_formed=none_formed))


def _unplaced_message(t: Translator, *, program: Program, code: str, none_formed: bool) -> Message:
    """Waiting for a place that frees up, or, when no circle formed at all, no promise of one."""
    key = "circles_intake.unplaced_no_circles" if none_formed else "formation.unplaced"
    return Message(text=t(key, program=program.name, reason=t(f"formation.unplaced.{code}")))


async def form_step(ctx: Ctx, program: Program) -> str | None:
    """`program form`'s part for circle programs; None for the others."""
    return await form_program(ctx, program) if program.format == ProgramFormat.CIRCLES else None
