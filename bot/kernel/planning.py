"""Planning: for every running program, queue what is due now (once per idempotency key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.kernel.config import CoreConfig
from storage.tables import Program, Workspace
from storage.uow import UnitOfWork


@dataclass
class PlanContext:
    uow: UnitOfWork
    program: Program
    workspace: Workspace
    now: datetime
    config: CoreConfig

    @property
    def workspace_id(self) -> int:
        assert self.workspace.id is not None
        return self.workspace.id


# A planner queues the deliveries of one kind that are due for one program and returns how many it queued.
Planner = Callable[[PlanContext], Awaitable[int]]


@dataclass
class PlanReport:
    queued: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.queued.values())


async def plan(uow_factory: Callable[[], UnitOfWork], *, now: datetime, config: CoreConfig,
               planners: Sequence[Planner] = ()) -> PlanReport:
    """Run `planners` (adapters/bootstrap lists every capability's) for each running program, one unit of work each."""
    report = PlanReport()
    async with uow_factory() as uow:
        programs = await uow.programs.running_everywhere()
    for program in programs:
        async with uow_factory() as uow:
            workspace = await uow.workspaces.get(program.workspace_id)
            fresh = await uow.programs.get(workspace_id=program.workspace_id, program_id=program.id or 0)
            if workspace is None or fresh is None:
                continue
            context = PlanContext(uow=uow, program=fresh, workspace=workspace, now=now, config=config)
            for planner in planners:
                name = getattr(planner, "__name__", "planner")
                report.queued[name] = report.queued.get(name, 0) + await planner(context)
            await uow.commit()
    return report
