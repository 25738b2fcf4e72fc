"""Which pairs a planner or command works on, both sides of each, and where the bot writes to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.kernel.calendar import group_timetable
from bot.kernel.context import Ctx, Scope
from bot.kernel.errors import UserError
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from bot.kernel.timetable import Timetable
from bot.sessions.checkins import open_index
from bot.sessions.due_windows import Timing, Window, windows
from bot.sessions.series import Item, SeriesPass, plan_series, series_pass
from bot.sessions.timing import is_pair_meeting, pair_meetings
from storage.tables import Enrollment, Member, Pair, PairStatus, Program, ProgramFormat, ProgramState

# The prompt library's pair family for each pair format.
FAMILIES: dict[str, str] = {ProgramFormat.ONE_ON_ONE: "pair_one_on_one", ProgramFormat.PEER: "pair_peer",
            ProgramFormat.REVERSE: "pair_reverse"}
PREFIXES = ("pair-reminder:", "pair-prompt:", "pair-checkin:", "pair-engagement:")


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

    @property
    def timetable(self) -> Timetable:
        """When this pair meets: its own schedule over the program's slot (computed afresh: an agreement may change
        Pair.schedule while the run is held)."""
        return group_timetable(self.program, self.pair)


async def active_pairs(scope: Scope, program: Program) -> list[Pair]:
    if program.format == ProgramFormat.CIRCLES:
        return []
    return await scope.uow.pairs.of_program(workspace_id=scope.workspace_id, program_id=program.id or 0)


async def load_pair(scope: Scope, pair: Pair, program: Program) -> PairRun | None:
    found = {m.id: m for m in await scope.uow.members.many(
        workspace_id=scope.workspace_id, member_ids=[pair.mentor_member_id, pair.mentee_member_id])}
    enrollments = {e.member_id: e for e in await scope.uow.enrollments.of_program(
        workspace_id=scope.workspace_id, program_id=program.id or 0)}
    return _pair_run(pair, program, found, enrollments)


async def load_pairs(scope: Scope, pairs: list[Pair], program: Program) -> dict[int, PairRun | None]:
    """`load_pair` for a program's active pairs in two queries, whatever their number (the planners')."""
    found = {m.id: m for m in await scope.uow.pairs.members_of_program(workspace_id=scope.workspace_id,
                                                                       program_id=program.id or 0)}
    enrollments = {e.member_id: e for e in await scope.uow.enrollments.of_program(
        workspace_id=scope.workspace_id, program_id=program.id or 0)}
    return {p.id or 0: _pair_run(p, program, found, enrollments) for p in pairs}


def _pair_run(pair: Pair, program: Program, found: dict[int | None, Member],
              enrollments: dict[int, Enrollment]) -> PairRun | None:
    mentor, mentee = found.get(pair.mentor_member_id), found.get(pair.mentee_member_id)
    if mentor is None or mentee is None:
        return None
    return PairRun(pair=pair, program=program, mentor=mentor, mentee=mentee, enrollments=enrollments)


async def pair_pass(pc: PlanContext) -> SeriesPass[Pair, PairRun]:
    """The pair planners' shared pass: the program's pairs, each loaded once (None when a side is gone)."""
    async def load(pair: Pair) -> PairRun | None:
        return await load_pair(pc, pair, pc.program)

    async def load_many(pairs: list[Pair]) -> dict[int, PairRun | None]:
        return await load_pairs(pc, pairs, pc.program)

    return await series_pass(pc, family="pairs", prefixes=PREFIXES, units=lambda scope: active_pairs(
        scope, scope.program), load=load, load_many=load_many)


async def plan_pairs(pc: PlanContext, *, prefix: str, due: Timing, stale: Timing, each: Item[Pair, PairRun]) -> int:
    """`each` for every due meeting of every pair, on the pair's own timetable: the sessions that start after the
    pair was formed."""
    found: dict[int, tuple[Timetable, list[Window]]] = {}

    def table(pair: Pair) -> tuple[Timetable, list[Window]]:
        if pair.id not in found:
            own = group_timetable(pc.program, pair)
            found[pair.id or 0] = own, windows(own, due, stale)
        return found[pair.id or 0]

    return await plan_series(pc, prefix=prefix, windows_of=lambda p: table(p)[1], open_pass=pair_pass,
                             includes=lambda p, i: is_pair_meeting(p, table(p)[0], i), each=each)


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
    own = group_timetable(program, pair)
    return open_index(own, pair_meetings(pair, own), now)
