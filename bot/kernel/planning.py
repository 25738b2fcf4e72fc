"""Planning: for every running program, queue what is due now (once per idempotency key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.kernel.config import CoreConfig
from bot.kernel.context import Hooks, Services
from storage.tables import Program, ProgramState, Workspace
from storage.uow import UnitOfWork


@dataclass
class PlanContext:
    uow: UnitOfWork
    program: Program
    workspace: Workspace
    now: datetime
    config: CoreConfig
    # The core's hooks and services, for a planner that does what a command does (kernel/acting.planner_ctx):
    # bootstrap passes them; a pass without them (a test narrowing planners) leaves such planners idle.
    hooks: Hooks | None = None
    services: Services | None = None

    @property
    def workspace_id(self) -> int:
        assert self.workspace.id is not None
        return self.workspace.id


# A planner queues the deliveries of one kind that are due for one program and returns how many it queued.
Planner = Callable[[PlanContext], Awaitable[int]]

RUNNING_ONLY = frozenset({ProgramState.RUNNING.value})


def for_states(*states: str) -> Callable[[Planner], Planner]:
    """Mark a planner to run for programs in these states (by default a planner runs for running programs only):
    intake planners run while a program enrolls, the closing phase's once it closes."""

    def mark(planner: Planner) -> Planner:
        planner.states = frozenset(str(s) for s in states)  # type: ignore[attr-defined]
        return planner

    return mark


def states_of(planner: Planner) -> frozenset[str]:
    return frozenset(getattr(planner, "states", RUNNING_ONLY))


@dataclass
class PlanReport:
    queued: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.queued.values())


async def plan(uow_factory: Callable[[], UnitOfWork], *, now: datetime, config: CoreConfig,
               planners: Sequence[Planner] = (), hooks: Hooks | None = None,
               services: Services | None = None) -> PlanReport:
    """Run `planners` (adapters/bootstrap lists every capability's) for each program in a state one of them plans
    for, one unit of work each. A planner may move its program on (enrolling -> forming, running -> closing): each
    later planner sees the new state and runs only if it plans for it."""
    report = PlanReport()
    wanted = sorted(frozenset().union(*(states_of(p) for p in planners))) if planners else []
    async with uow_factory() as uow:
        programs = await uow.programs.in_states_everywhere(states=tuple(wanted))
    for program in programs:
        async with uow_factory() as uow:
            workspace = await uow.workspaces.get(program.workspace_id)
            fresh = await uow.programs.get(workspace_id=program.workspace_id, program_id=program.id or 0)
            if workspace is None or fresh is None:
                continue
            context = PlanContext(uow=uow, program=fresh, workspace=workspace, now=now, config=config, hooks=hooks,
                                  services=services)
            for planner in planners:
                if context.program.state not in states_of(planner):
                    continue
                name = getattr(planner, "__name__", "planner")
                report.queued[name] = report.queued.get(name, 0) + await planner(context)
            await uow.commit()
    return report
