"""Late joiners in a pair program that already matches, and mentees who wait: they get a mentor as soon as one with
room fits them (cool-down, same team and same manager rules included, as in the first matching)."""

from __future__ import annotations

from dataclasses import replace

from bot.kernel.context import Ctx, Scope
from bot.kernel.planning import PlanContext
from bot.pairs import matcher as pairing
from bot.pairs.forming import create_pair
from bot.pairs.pool import MENTEE, MENTOR, Pool, load_pool, shortlist_for, taken_seats
from bot.pairs.shortlist import offer_round, offer_shortlist, shortlist_key, waiting_key
from storage.tables import Member, Program, ProgramFormat, ProgramState

DIRECT = "direct"


async def place_late(ctx: Ctx, program: Program, member: Member, role: str) -> str:
    """What happens to a member with a role who joined after enrollment closed, as a line for them."""
    if program.state != ProgramState.RUNNING:
        return ctx.t(f"pairs_intake.join.forming.{role}", program=program.name)
    if role == MENTOR:
        return await mentor_available(ctx, program, member)
    pool = await load_pool(ctx, program)
    if program.pair_matching == DIRECT:
        made = await _match(ctx, program, pool, {member.id or 0})
        if made:
            return ctx.t("pairs_intake.join.paired", program=program.name, mentor=made[0][0].name)
    else:
        suggestions = await offer_shortlist(ctx, pool, member)  # an empty one marks them as waiting
        if suggestions:
            return ctx.t.n("pairs_intake.join.shortlist", len(suggestions), program=program.name,
                           count=len(suggestions), hours=program.pair_response_hours)
    return ctx.t("pairs_intake.join.waiting", program=program.name)


async def mentor_available(ctx: Ctx, program: Program, member: Member) -> str:
    """A mentor joined or took more mentees: waiting mentees get their chance now; a line for the mentor."""
    if program.pair_matching == DIRECT:
        mine = [mentee.name for mentor, mentee in await match_waiting(ctx, program) if mentor.id == member.id]
        if mine:
            return ctx.t("pairs_intake.join.mentor_paired", names=", ".join(mine))
        return ctx.t("pairs_intake.join.mentor_waiting", program=program.name)
    offered = await offer_waiting(ctx, program)
    count = sum(1 for suggestions in offered.values() if any(s.mentor_id == member.id for s in suggestions))
    if count:
        return ctx.t.n("pairs_intake.join.mentor_offered", count, count=count)
    return ctx.t("pairs_intake.join.mentor_listed", program=program.name)


async def _unmatched_mentees(scope: Scope, program: Program, *, ever: bool) -> list[int]:
    """Active mentees with no pair in the program (`ever`: never had one) and no request waiting for an answer."""
    assert program.id is not None
    paired = {p.mentee_member_id for p in await scope.uow.pairs.of_program(
        workspace_id=scope.workspace_id, program_id=program.id, active_only=not ever)}
    asking = {r.mentee_member_id for r in await scope.uow.pairs.pending_requests(program_id=program.id)}
    return [e.member_id for e in await scope.uow.enrollments.of_program(workspace_id=scope.workspace_id,
                                                                         program_id=program.id)
            if e.role == MENTEE and e.member_id not in paired | asking]


async def offer_waiting(scope: Scope, program: Program) -> dict[int, list[pairing.Suggestion]]:
    """Shortlist programs: a mentee whose latest shortlist was empty (waiting_key) and who has had none since gets
    one once a mentor fits. Once per offer round (the keys), however often it runs. Returns who got what."""
    waiting = []
    for mentee_id in await _unmatched_mentees(scope, program, ever=False):
        offer = await offer_round(scope, program, mentee_id)
        if (await scope.uow.outbox.by_key(key=waiting_key(offer)) is not None
                and await scope.uow.outbox.by_key(key=shortlist_key(offer)) is None):
            waiting.append(mentee_id)
    if not waiting:
        return {}
    pool = await load_pool(scope, program)
    offered: dict[int, list[pairing.Suggestion]] = {}
    for mentee_id in waiting:
        if mentee_id in {p.member_id for p in pool.mentees} and await shortlist_for(scope, pool, mentee_id):
            offered[mentee_id] = await offer_shortlist(scope, pool, pool.members[mentee_id])
    return offered


async def match_waiting(scope: Scope, program: Program) -> list[tuple[Member, Member]]:
    """Direct programs: mentees never matched (no mentor fitted at `program form`, or they joined late) are paired
    with mentors who have room, by the same optimal matching. Returns (mentor, mentee) per new pair."""
    waiting = set(await _unmatched_mentees(scope, program, ever=True))
    if not waiting:
        return []
    return await _match(scope, program, await load_pool(scope, program), waiting)


async def _match(scope: Scope, program: Program, pool: Pool, mentee_ids: set[int]) -> list[tuple[Member, Member]]:
    # One matcher at a time per program (a join, a planner on another replica): seats are counted after the lock.
    await scope.uow.programs.lock(workspace_id=scope.workspace_id, program_id=program.id or 0)
    paired = {p.mentee_member_id for p in await scope.uow.pairs.of_program(workspace_id=scope.workspace_id,
                                                                           program_id=program.id or 0)}
    seats = await taken_seats(scope, program)
    free = [replace(p, capacity=max(0, p.capacity - seats.get(p.member_id, 0))) for p in pool.mentors]
    waiting = [p for p in pool.mentees if p.member_id in mentee_ids - paired]
    if not waiting or not any(p.capacity for p in free):
        return []
    made = []
    for mentee_id, mentor_id, score in pairing.match(mentors=free, mentees=waiting, rules=pool.rules):
        mentor, mentee = pool.members[mentor_id], pool.members[mentee_id]
        await create_pair(scope, program, mentor, mentee, score=score)
        made.append((mentor, mentee))
    return made


async def plan_waiting(pc: PlanContext) -> int:
    """A planner: mentees who wait get a mentor (direct) or a shortlist once a mentor with room fits them."""
    if pc.program.format == ProgramFormat.CIRCLES:
        return 0
    if pc.program.pair_matching == DIRECT:
        return len(await match_waiting(pc, pc.program))
    return len(await offer_waiting(pc, pc.program))
