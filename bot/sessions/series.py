"""A series of sessions (a circle's, a pair's): due windows, one planning pass, and posts and DMs once per key."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import Outgoing, StaleNote, enqueue, enqueue_many, note_stale, note_stale_many, user_target
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from bot.sessions.due_windows import KEYS_SINCE, SETTLED_AFTER, Window, any_open, due_state
from bot.sessions.timing import is_paused, local_day, working_due
from storage.tables import Enrollment, Member, Workspace

# Builds one message for a reader of the run's space (None) or for one member by DM.
Build = Callable[[Translator, Member | None], Message]


class Unit(Protocol):
    """A circle or a pair: what a series is run for."""

    id: int | None


class Run(Protocol):
    """A unit loaded for planning: CircleRun and PairRun."""

    enrollments: dict[int, Enrollment]  # by member id

    @property
    def members(self) -> list[Member]: ...  # reachable members (erased ones left out)

    @property
    def space(self) -> Target | None: ...  # where the group reads posts: a circle's channel, a pair's space


U = TypeVar("U", bound=Unit)
R = TypeVar("R", bound=Run)


def channel_translator(workspace: Workspace, members: list[Member]) -> Translator:
    """The language most of the group reads; the workspace's on a tie or when nobody said."""
    default = resolve_locale(workspace.locale)
    counts = Counter(resolve_locale(m.locale, default) for m in members)
    if not counts:
        return Translator(default)
    best = max(counts.values())
    leaders = [locale for locale, n in counts.items() if n == best]
    return Translator(default if default in leaders else sorted(leaders)[0])


@dataclass
class SeriesPass(Generic[U, R]):
    """What one family of planners reads in one planning pass (one program, one tick), each loaded once."""

    pc: PlanContext
    units: list[U]
    prefixes: tuple[str, ...]
    load: Callable[[U], Awaitable[R | None]]
    # Loads many units at once (by unit id): the first unit a planner needs loads every unit of the pass, a few
    # queries per program and tick instead of a few per unit (issue 18: planning 15,000 circles).
    load_many: Callable[[list[U]], Awaitable[dict[int, R | None]]] | None = None
    keys: set[str] = field(default_factory=set)  # idempotency keys of this family's deliveries planned before
    cache: dict[str, Any] = field(default_factory=dict)  # what a planner reads once per pass for all its units
    _runs: dict[int, R | None] = field(default_factory=dict)
    _keys_loaded: bool = False
    _sessions: set[str] | None = None
    # Stale or paused items noted in this pass, recorded together by `flush_notes` (plan_series and post_many call
    # it; a planner that calls dm_ready after plan_series does too): a catch-up tick notes thousands.
    notes: list[StaleNote] = field(default_factory=list)

    async def load_keys(self) -> None:
        """Read once per pass, and only when some window is open: most ticks no planner needs them."""
        if not self._keys_loaded and self.units:
            self.keys = await self.pc.uow.outbox.planned_keys(program_id=self.pc.program.id or 0,
                                                              prefixes=self.prefixes, due_from=self.pc.now - KEYS_SINCE)
        self._keys_loaded = True

    def planned(self, key: str) -> bool:
        return key in self.keys

    def settled(self, session_key: str) -> bool:
        """Something of this session ("{prefix}:{unit}:{index}") was planned or noted stale before: its post, or
        a DM to one of its members (the key and a member id)."""
        if self._sessions is None:
            self._sessions = {":".join(key.split(":", 3)[:3]) for key in self.keys}
        return session_key in self._sessions

    def reached(self, run: R, key: str) -> bool:
        """Every key `reach` would write for this session is planned already."""
        keys = {key} if run.space is not None else {f"{key}:{m.id}" for m in run.members}
        return keys <= self.keys

    async def flush_notes(self) -> int:
        notes, self.notes = self.notes, []
        return await note_stale_many(self.pc, notes)

    async def run(self, unit: U) -> R | None:
        """Members and enrollments only when a planner has something to queue for the unit."""
        if unit.id not in self._runs and self.load_many is not None:
            pending = [u for u in self.units if u.id not in self._runs and u.id != unit.id]
            self._runs.update(await self.load_many([unit, *pending]))
        if unit.id not in self._runs:
            self._runs[unit.id or 0] = await self.load(unit)
        return self._runs[unit.id or 0]

    async def loaded(self, unit: U) -> R:
        """`run` for a family whose load always finds the unit (circles)."""
        run = await self.run(unit)
        assert run is not None
        return run


async def series_pass(pc: PlanContext, *, family: str, prefixes: tuple[str, ...],
                      units: Callable[[PlanContext], Awaitable[list[U]]],
                      load: Callable[[U], Awaitable[R | None]],
                      load_many: Callable[[list[U]], Awaitable[dict[int, R | None]]] | None = None
                      ) -> SeriesPass[U, R]:
    # The scheduler hands every planner the same PlanContext for a program and tick: keep the loads on it
    # (when it cannot hold them, each planner simply loads its own).
    holder: dict[str, object] = getattr(pc, "__dict__", {})
    memo = holder.get(f"_series_{family}")
    if not isinstance(memo, SeriesPass):
        memo = SeriesPass(pc=pc, units=await units(pc), prefixes=prefixes, load=load, load_many=load_many)
        holder[f"_series_{family}"] = memo
    return memo


@dataclass(frozen=True)
class Session(Generic[U]):
    """One unit's session whose window has begun, with the idempotency key of what goes to its group."""

    unit: U
    index: int
    due: datetime
    stale: datetime
    key: str  # "{prefix}:{unit id}:{index}"; a DM adds ":{member id}"


async def due_items(work: SeriesPass[U, R], windows_of: Callable[[U], Sequence[Window]], *, prefix: str,
                    includes: Callable[[U, int], bool]) -> AsyncIterator[Session[U]]:
    """Every session of a unit whose window has begun, in order; a unit's later sessions wait while one is early."""
    settled_before = work.pc.now - SETTLED_AFTER
    for unit in work.units:
        for index, (due, stale) in enumerate(windows_of(unit)):
            if stale <= settled_before or not includes(unit, index):
                continue
            if work.pc.now < due:
                break
            key = f"{prefix}:{unit.id}:{index}"
            if work.pc.now >= stale and work.settled(key):
                # Nothing is sent for a stale session: once a pass planned or noted it, its members who could
                # have had it had it. Skipping it spares every tick a walk over every past session of every unit.
                continue
            yield Session(unit=unit, index=index, due=due, stale=stale, key=key)


Item = Callable[[SeriesPass[U, R], Session[U]], Awaitable[int]]


async def plan_series(pc: PlanContext, *, prefix: str, windows_of: Callable[[U], Sequence[Window]],
                      open_pass: Callable[[PlanContext], Awaitable[SeriesPass[U, R]]],
                      includes: Callable[[U, int], bool], each: Item[U, R]) -> int:
    """Run `each` for every due session of every unit (each on its own timetable); how many deliveries it queued."""
    work = await open_pass(pc)
    if not any(any_open(pc.now, windows_of(unit)) for unit in work.units):
        return 0
    await work.load_keys()
    queued = 0
    async for session in due_items(work, windows_of, prefix=prefix, includes=includes):
        queued += await each(work, session)
    await work.flush_notes()
    return queued


async def post(work: SeriesPass[U, R], *, target: Target, members: list[Member], key: str, kind: str,
               due: datetime, stale: datetime, build: Callable[[Translator], Message]) -> int:
    """One message to the group's space in the language most of its members read; planned → 0; stale → noted."""
    pc = work.pc
    if work.planned(key):
        return 0
    if due_state(pc.now, due=due, stale=stale) == "stale":
        await note_stale(pc, key=key, kind=kind, target=target, due=due, stale=stale)
        return 0
    t = channel_translator(pc.workspace, members)
    return int(await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind=kind, target=target,
                             message=build(t), due_at=due, stale_at=stale, program_id=pc.program.id))


@dataclass(frozen=True)
class GroupPost:
    """One `post` that `post_many` queues with others."""

    target: Target
    members: list[Member]
    key: str
    kind: str
    due: datetime
    stale: datetime
    build: Callable[[Translator], Message]


async def post_many(work: SeriesPass[U, R], posts: Sequence[GroupPost]) -> set[str]:
    """`post` for many sessions of a pass in one INSERT per 1,000 (issue 18: 15,000 circles' prompts due in one
    tick): the keys queued now. Planned ones are left out, stale ones noted; the database still decides which
    keys are new, so two passes or replicas queue each key once."""
    pc = work.pc
    items: list[Outgoing] = []
    for p in posts:
        if work.planned(p.key):
            continue
        if due_state(pc.now, due=p.due, stale=p.stale) == "stale":
            work.notes.append(StaleNote(key=p.key, kind=p.kind, target=p.target, due=p.due, stale=p.stale))
            continue
        message = p.build(channel_translator(pc.workspace, p.members))
        items.append(Outgoing(key=p.key, kind=p.kind, target=p.target, message=message, due_at=p.due,
                              stale_at=p.stale))
    await work.flush_notes()
    return await enqueue_many(pc.uow, workspace_id=pc.workspace_id, program_id=pc.program.id, items=items)


async def dm(work: SeriesPass[U, R], run: R, member: Member, *, key: str, kind: str, due: datetime,
             stale: datetime, build: Callable[[Translator], Awaitable[Message]]) -> int:
    """One DM in the member's language; planned or early → 0; stale, or paused on the due day or today → noted.

    `build` is awaited only when the DM is queued (it may read, e.g. the member's goal).
    """
    pc = work.pc
    if not await dm_ready(work, run, member, key=key, kind=kind, due=due, stale=stale):
        return 0
    t = Translator(resolve_locale(member.locale, pc.workspace.locale))
    return int(await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind=kind,
                             target=user_target(pc.workspace, member.external_id), message=await build(t),
                             due_at=due, stale_at=stale, program_id=pc.program.id, member_id=member.id))


async def dm_ready(work: SeriesPass[U, R], run: R, member: Member, *, key: str, kind: str, due: datetime,
                   stale: datetime) -> bool:
    """`dm`'s checks before a message is built: True when it is to be queued now. Planned or early → False;
    stale, or the member paused on the due day or today → noted once, False."""
    pc = work.pc
    if work.planned(key):
        return False
    target = user_target(pc.workspace, member.external_id)
    state = due_state(pc.now, due=due, stale=stale)
    if state == "early":
        return False
    if state == "stale":
        work.notes.append(StaleNote(key=key, kind=kind, target=target, due=due, stale=stale, member_id=member.id))
        return False
    fallback = pc.program.timezone
    enrollment = run.enrollments.get(member.id or 0)
    if is_paused(enrollment, local_day(member, due, fallback=fallback)) or is_paused(
            enrollment, local_day(member, pc.now, fallback=fallback)):
        # Away for this session: nothing now and nothing to catch up on after they come back.
        work.notes.append(StaleNote(key=key, kind=kind, target=target, due=due, stale=stale, member_id=member.id,
                                    reason="recipient paused"))
        return False
    return True


async def dm_in_hours(work: SeriesPass[U, R], run: R, members: list[Member], *, key: str, kind: str,
                      due: datetime, stale: datetime,
                      build: Callable[[Translator, Member], Awaitable[Message]]) -> int:
    """A DM to each member (key `key:member`) at `due` or, outside their working hours, their next working start."""
    queued = 0
    for member in members:
        if work.planned(f"{key}:{member.id}"):
            continue  # most members of most past sessions: skip before working out their hours
        queued += await dm(work, run, member, key=f"{key}:{member.id}", kind=kind, stale=stale,
                           due=working_due(member, due, fallback=work.pc.program.timezone),
                           build=_for(build, member))
    return queued


async def reach(work: SeriesPass[U, R], run: R, *, key: str, kind: str, due: datetime, stale: datetime,
                build: Build) -> int:
    """`post` to the run's space (key `key`), or without one a `dm` to each member (key `key:member`)."""
    space = run.space
    if space is not None:
        return await post(work, target=space, members=run.members, key=key, kind=kind, due=due, stale=stale,
                          build=lambda t: build(t, None))
    queued = 0
    for member in run.members:
        queued += await dm(work, run, member, key=f"{key}:{member.id}", kind=kind, due=due, stale=stale,
                           build=_for(_awaitable(build), member))
    return queued


def _for(build: Callable[[Translator, Member], Awaitable[Message]],
         member: Member) -> Callable[[Translator], Awaitable[Message]]:
    return lambda t: build(t, member)


def _awaitable(build: Build) -> Callable[[Translator, Member], Awaitable[Message]]:
    async def built(t: Translator, member: Member) -> Message:
        return build(t, member)

    return built
