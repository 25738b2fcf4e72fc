"""`program form` for pair programs, direct publishing, and creating a pair (its space opens after the commit)."""

from __future__ import annotations

from functools import partial

from bot.kernel.context import Ctx, SpaceRequest
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Header, Message, Text
from bot.kernel.outbox import dm, post
from bot.kernel.ports import SpaceRef, Target
from bot.kernel.text_keys import slugify
from bot.pairs import matcher as pairing
from bot.pairs.pool import Pool, load_pool, taken_seats
from bot.pairs.shortlist import offer_shortlist
from storage.tables import Member, Pair, PairRequestStatus, Program, ProgramFormat


async def start_matching(ctx: Ctx, program: Program) -> str:
    """`program form` for pair programs: shortlists to every mentee, or the optimal matching at once."""
    pool = await load_pool(ctx, program)
    if program.pair_matching == "direct":
        return await publish_matching(ctx, program, pool)
    offered = 0
    for person in pool.mentees:
        if await offer_shortlist(ctx, pool, pool.members[person.member_id]):
            offered += 1
    return ctx.t("pairs.shortlists_sent", program=program.name, count=offered, unmatched=len(pool.mentees) - offered)


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
        ctx.uow.session.add(request)
    matches = pairing.match(mentors=free_mentors, mentees=waiting, rules=pool.rules)
    for mentee_id, mentor_id, score in matches:
        await create_pair(ctx, program, pool.members[mentor_id], pool.members[mentee_id], score=score)
    total = sum(score for _, _, score in matches)
    return ctx.t("pairs.published", program=program.name, pairs=len(matches), unmatched=len(waiting) - len(matches),
                 score=f"{total:.2f}")


async def create_pair(ctx: Ctx, program: Program, mentor: Member, mentee: Member, *, score: float) -> Pair:
    """Put the pair on record; its space opens once this unit of work commits, then the welcome is queued."""
    earlier = [p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=mentee.id or 0,
                                                        active_only=False) if p.program_id == program.id]
    pair = Pair(workspace_id=ctx.workspace_id, program_id=program.id or 0, mentor_member_id=mentor.id or 0,
                mentee_member_id=mentee.id or 0, round=len(earlier) + 1, score=score, started_at=ctx.now)
    ctx.uow.pairs.add(pair)
    await ctx.uow.flush()  # the id names the space; the pair is on record before the platform creates it
    request = SpaceRequest(name=slugify(f"{program.slug}-pair-{pair.id}", max_length=70),
                           members=(mentor.external_id, mentee.external_id), private=True, group_chat=True)
    ctx.after_commit(partial(_opened, pair=pair, program=program, mentor=mentor, mentee=mentee), space=request)
    return pair


async def _opened(ctx: Ctx, space: SpaceRef | None, *, pair: Pair, program: Program, mentor: Member,
                  mentee: Member) -> None:
    ctx.uow.session.add(pair)  # into this unit of work (the one that created it is closed)
    # Without a space they still get DMs; the admin sees the pair without a space in `pair list`.
    pair.space = space.target.key() if space else ""
    t = Translator(resolve_locale(ctx.workspace.locale))
    if pair.space:
        await post(ctx, target=Target.from_key(pair.space), key=f"pair-welcome:{pair.id}", kind="welcome",
                   program_id=program.id, message=welcome(t, program, mentor, mentee))
    else:
        for member in (mentor, mentee):
            await dm(ctx, member=member, key=f"pair-welcome:{pair.id}:{member.id}", kind="welcome",
                     program_id=program.id, build=lambda tr: welcome(tr, program, mentor, mentee))


def welcome(t: Translator, program: Program, mentor: Member, mentee: Member) -> Message:
    rules = " · ".join(x for x in (program.rules_frequency, program.rules_duration, program.rules_topics) if x)
    lines = [t("pairs.welcome", mentor=mentor.name, mentee=mentee.name, program=program.name,
               format=t(f"format.{program.format}")),
             t("pairs.ground_rules", rules=rules or t("pairs.default_rules")),
             t("pairs.smart_goals")]
    if program.video_link:
        lines.append(f"{t('formation.video')}: {program.video_link}")
    return Message(text="\n".join(lines), blocks=(Header(t("pairs.welcome_title")), *(Text(x) for x in lines)))


async def form_step(ctx: Ctx, program: Program) -> str | None:
    """`program form`'s part for pair programs; None for circle programs."""
    return await start_matching(ctx, program) if program.format != ProgramFormat.CIRCLES else None
