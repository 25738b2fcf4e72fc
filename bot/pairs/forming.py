"""`program form` for pair programs, direct publishing, and creating a pair (its space: a durable step)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import partial

from bot.kernel.context import Ctx, Scope, SpaceRequest
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Header, Message, Text
from bot.kernel.outbox import dm, post
from bot.kernel.planning import PlanContext
from bot.kernel.ports import SpaceRef, SpaceUnsupported, Target
from bot.kernel.spaces import open_after_commit, queue_space, tell_admins
from bot.kernel.text_keys import slugify
from bot.pairs import matcher as pairing
from bot.pairs.care import tell_hopes
from bot.pairs.hours import place_in_hours, tell_outside
from bot.pairs.orientation import orient_mentor
from bot.pairs.pool import Pool, load_pool, taken_seats
from bot.pairs.shortlist import offer_shortlist
from bot.pairs.when import meets_line, member_zone, reader_zones
from storage.repositories.outbox import read_opened, space_key
from storage.tables import DeliveryStatus, Member, Pair, PairRequestStatus, Program, ProgramFormat


async def start_matching(ctx: Ctx, program: Program) -> str:
    """`program form` for pair programs: shortlists to every mentee, or the optimal matching at once."""
    pool = await load_pool(ctx, program)
    if program.pair_matching == "direct":
        return await publish_matching(ctx, program, pool)
    offered = 0
    for person in pool.mentees:
        if await offer_shortlist(ctx, pool, pool.members[person.member_id]):
            offered += 1
    return ctx.t.n("pairs.shortlists_sent", offered, program=program.name, count=offered,
                   unmatched=len(pool.mentees) - offered)


async def publish_matching(ctx: Ctx, program: Program, pool: Pool | None = None) -> str:
    pool = pool or await load_pool(ctx, program)
    paired = {p.mentee_member_id for p in await ctx.uow.pairs.of_program(workspace_id=ctx.workspace_id,
                                                                         program_id=program.id or 0)}
    seats = await taken_seats(ctx, program)
    free_mentors = [pairing.Person(**{**p.__dict__, "capacity": max(0, p.capacity - seats.get(p.member_id, 0))})
                    for p in pool.mentors]
    waiting = [p for p in pool.mentees if p.member_id not in paired]
    for request in await ctx.uow.pairs.pending_requests(program_id=program.id or 0):
        request.status, request.answered_at = PairRequestStatus.WITHDRAWN, ctx.now
        ctx.uow.pairs.add(request)
    matches = pairing.match(mentors=free_mentors, mentees=waiting, rules=pool.rules)
    for mentee_id, mentor_id, score in matches:
        await create_pair(ctx, program, pool.members[mentor_id], pool.members[mentee_id], score=score)
    total = sum(score for _, _, score in matches)
    return ctx.t("pairs.published", program=program.name, pairs=len(matches), unmatched=len(waiting) - len(matches),
                 score=f"{total:.2f}")


async def create_pair(scope: Scope, program: Program, mentor: Member, mentee: Member, *, score: float) -> Pair:
    """Put the pair on record; its space opens once this unit of work commits, then the welcome is queued.
    From a planner (no member acted) the deliverer opens the space, and settle_pair_spaces welcomes them."""
    earlier = [p for p in await scope.uow.pairs.of_member(workspace_id=scope.workspace_id,
                                                          member_id=mentee.id or 0, active_only=False)
               if p.program_id == program.id]
    pair = Pair(workspace_id=scope.workspace_id, program_id=program.id or 0, mentor_member_id=mentor.id or 0,
                mentee_member_id=mentee.id or 0, round=len(earlier) + 1, score=score, started_at=scope.now)
    choice = place_in_hours(program, pair, mentor, mentee)  # §0: not simply the program-wide slot
    scope.uow.pairs.add(pair)
    await scope.uow.flush()  # the id names the space; the pair is on record before the platform creates it
    await tell_outside(scope, program, pair, mentor, mentee, choice)
    await tell_hopes(scope, program, pair, mentor, mentee)  # reverse pairs: the junior mentor reads it first
    request = SpaceRequest(name=slugify(f"{program.slug}-pair-{pair.id}", max_length=70),
                           members=(mentor.external_id, mentee.external_id), private=True, group_chat=True,
                           key=space_key("pair", pair.id or 0))
    if isinstance(scope, Ctx):
        await open_after_commit(scope, partial(_opened, pair=pair, program=program, mentor=mentor, mentee=mentee),
                                request=request, program_id=program.id)
    else:
        await queue_space(scope, request=request, program_id=program.id)
    await orient_mentor(scope, program=program, pair=pair, mentor=mentor, mentee=mentee)
    return pair


async def _opened(ctx: Ctx, space: SpaceRef | None, *, pair: Pair, program: Program, mentor: Member,
                  mentee: Member) -> None:
    """Right after the commit, the platform opened the pair's space: record it and welcome them there."""
    if space is not None:
        await _record_space(ctx, program, pair, space.target.key(), mentor=mentor, mentee=mentee)


async def _record_space(scope: Scope, program: Program, pair: Pair, space: str, *, mentor: Member,
                        mentee: Member) -> None:
    pair.space = space
    scope.uow.pairs.add(pair)  # into this unit of work (the one that created it is closed)
    t = Translator(resolve_locale(scope.workspace.locale))
    await post(scope, target=Target.from_key(space), key=f"pair-welcome:{pair.id}", kind="welcome",
               program_id=program.id, message=welcome(t, program, pair, mentor, mentee, now=scope.now))


async def settle_pair_spaces(pc: PlanContext) -> int:
    """A planner: finish pairs whose space the deliverer opened later (record it, welcome), and for a space that
    failed for good tell the admins the platform's reason once and welcome the pair by DM, as before spaces."""
    done = 0
    for pair in await pc.uow.pairs.of_program(workspace_id=pc.workspace_id, program_id=pc.program.id or 0):
        row = None if pair.space else await pc.uow.outbox.by_key(key=space_key("pair", pair.id or 0))
        unsupported = (row is not None and row.status == DeliveryStatus.SKIPPED
                       and (row.last_error or "").startswith(SpaceUnsupported.__name__))
        if row is None or (row.status not in (DeliveryStatus.SENT, DeliveryStatus.FAILED) and not unsupported):
            continue
        people = await pc.uow.members.many(workspace_id=pc.workspace_id,
                                           member_ids=[pair.mentor_member_id, pair.mentee_member_id])
        by_id = {m.id: m for m in people}
        mentor, mentee = by_id.get(pair.mentor_member_id), by_id.get(pair.mentee_member_id)
        if mentor is None or mentee is None:
            continue  # someone was erased meanwhile; the pair ends through on_leave
        if row.status == DeliveryStatus.SENT and row.sent_ref:
            await _record_space(pc, pc.program, pair, read_opened(row.sent_ref)[0], mentor=mentor, mentee=mentee)
            done += 1
        elif row.status == DeliveryStatus.FAILED or unsupported:
            await _without_space(pc, pair, mentor, mentee, cause=row.last_error or "?")
    return done


async def _without_space(pc: PlanContext, pair: Pair, mentor: Member, mentee: Member, *, cause: str) -> None:
    """No space for good: the pair is welcomed by DM (`pair list` shows no space), and the admins hear the
    platform's reason once per program and cause, not once per pair (on Teams no pair has a space of its own)."""
    program = pc.program
    digest = hashlib.sha256(cause.encode()).hexdigest()[:12]
    if not cause.startswith(SpaceUnsupported.__name__):  # e.g. Teams without Graph: DMs are the design, not a fault
        await tell_admins(pc, pc.config, key=f"space-failed:pairs:{program.id}:{digest}", program_id=program.id,
                          build=lambda t: Message(text=t("spaces.pairs_failed", program=program.name, cause=cause)))
    for member in (mentor, mentee):
        await dm(pc, member=member, key=f"pair-welcome:{pair.id}:{member.id}", kind="welcome",
                 program_id=program.id, build=partial(welcome, program=program, pair=pair, mentor=mentor,
                                                   mentee=mentee, now=pc.now, reader=member))


def welcome(t: Translator, program: Program, pair: Pair, mentor: Member, mentee: Member, *, now: datetime,
            reader: Member | None = None) -> Message:
    """The pair's welcome: its own meeting time in the reader's zone (by DM) or in both sides' (the shared space)."""
    rules = " · ".join(x for x in (program.rules_frequency, program.rules_duration, program.rules_topics) if x)
    zones = [member_zone(reader, program)] if reader else reader_zones(program, pair, [mentor, mentee])
    lines = [t("pairs.welcome", mentor=mentor.name, mentee=mentee.name, program=program.name,
               format=t(f"format.{program.format}")),
             meets_line(t, program, pair, zones, now=now) or "",
             t("pairs.ground_rules", rules=rules or t("pairs.default_rules")),
             t("pairs.smart_goals")]
    lines = [line for line in lines if line]
    if program.video_link:
        lines.append(f"{t('formation.video')}: {program.video_link}")
    return Message(text="\n".join(lines), blocks=(Header(t("pairs.welcome_title")), *(Text(x) for x in lines)))


async def form_step(ctx: Ctx, program: Program) -> str | None:
    """`program form`'s part for pair programs; None for circle programs."""
    return await start_matching(ctx, program) if program.format != ProgramFormat.CIRCLES else None
