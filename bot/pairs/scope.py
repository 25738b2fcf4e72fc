"""Which pairs a planner or command works on, both sides of each, and where the bot writes to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.kernel.calendar import session_time
from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import UserError
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from bot.sessions.timing import checkin_closes, pair_meetings
from storage.tables import Enrollment, Member, Pair, PairStatus, Program, ProgramFormat, ProgramState

# The prompt library's pair family for each pair format.
FAMILIES: dict[str, str] = {ProgramFormat.ONE_ON_ONE: "pair_one_on_one", ProgramFormat.PEER: "pair_peer",
            ProgramFormat.REVERSE: "pair_reverse"}
PREFIXES = ("pair-reminder:", "pair-prompt:", "pair-checkin:")


def name_of(member: Member) -> str:
    return member.display_name or member.external_id


@dataclass
class PairRun:
    """One pair with both sides, as planners and commands need it."""

    pair: Pair
    program: Program
    mentor: Member
    mentee: Member
    enrollments: dict[int, Enrollment] = field(default_factory=dict)  # by member id

    @property
    def space(self) -> Target | None:
        return Target.from_key(self.pair.space) if self.pair.space else None

    @property
    def members(self) -> list[Member]:
        return [m for m in (self.mentor, self.mentee) if not m.erased]

    def partner_of(self, member_id: int) -> Member:
        return self.mentee if self.mentor.id == member_id else self.mentor


async def active_pairs(scope: Scope, program: Program) -> list[Pair]:
    if program.format == ProgramFormat.CIRCLES:
        return []
    return await scope.uow.pairs.of_program(workspace_id=scope.workspace_id, program_id=program.id or 0)


async def load_pair(scope: Scope, pair: Pair, program: Program) -> PairRun | None:
    found = {m.id: m for m in await scope.uow.members.many(
        workspace_id=scope.workspace_id, member_ids=[pair.mentor_member_id, pair.mentee_member_id])}
    mentor, mentee = found.get(pair.mentor_member_id), found.get(pair.mentee_member_id)
    if mentor is None or mentee is None:
        return None
    enrollments = {e.member_id: e for e in await scope.uow.enrollments.of_program(
        workspace_id=scope.workspace_id, program_id=program.id or 0)}
    return PairRun(pair=pair, program=program, mentor=mentor, mentee=mentee, enrollments=enrollments)


@dataclass
class PairPass:
    """What the pair planners read in one planning pass (one program, one tick), each loaded once."""

    pc: PlanContext
    pairs: list[Pair]
    keys: set[str]  # idempotency keys of this program's pair deliveries planned before this pass
    _runs: dict[int, PairRun | None] = field(default_factory=dict)

    async def run(self, pair: Pair) -> PairRun | None:
        if pair.id not in self._runs:
            self._runs[pair.id or 0] = await load_pair(self.pc, pair, self.pc.program)
        return self._runs[pair.id or 0]


async def pair_pass(pc: PlanContext) -> PairPass:
    # Every planner gets the same PlanContext for a program and tick: load the pairs once and keep them on it.
    holder: dict[str, object] = getattr(pc, "__dict__", {})
    memo = holder.get("_pair_pass")
    if not isinstance(memo, PairPass):
        pairs = await active_pairs(pc, pc.program)
        keys = await pc.uow.outbox.planned_keys(program_id=pc.program.id or 0,
                                                prefixes=PREFIXES) if pairs else set()
        memo = PairPass(pc=pc, pairs=pairs, keys=keys)
        holder["_pair_pass"] = memo
    return memo


async def pair_of(ctx: Ctx, pair_id: int) -> PairRun:
    """The actor's own pair by id (active or ended): nobody else's pair is ever resolved here."""
    pair = next((p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id,
                                                          active_only=False) if p.id == pair_id), None)
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id,
                                         program_id=pair.program_id) if pair else None
    run = await load_pair(ctx, pair, program) if pair and program else None
    if run is None:
        raise UserError("errors.stale_action")
    return run


async def my_open_meeting(ctx: Ctx) -> tuple[PairRun, int]:
    """The actor's active pair whose meeting's check-in is open now (the latest pair first)."""
    pairs = await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
    if not pairs:
        raise UserError("pair_running.no_pair")
    for pair in reversed(pairs):
        if pair.status != PairStatus.ACTIVE:
            continue
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=pair.program_id)
        if program is None or program.state != ProgramState.RUNNING:
            continue
        index = open_meeting(pair, program, ctx.now)
        if index is not None:
            return await pair_of(ctx, pair.id or 0), index
    raise UserError("pair_running.checkin.none_open")


def open_meeting(pair: Pair, program: Program, now: datetime) -> int | None:
    """The meeting whose check-in is open now: it has started and the next one has not."""
    for index in pair_meetings(pair, program):
        if session_time(program, index) <= now < checkin_closes(program, index):
            return index
    return None
