"""Whether a planned item is early, due or stale now; stale items are noted once in the outbox as skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.circles.scope import CircleRun, active_circles, load_circle
from bot.kernel.planning import PlanContext
from storage.tables import Circle

DueState = Literal["early", "due", "stale"]
PREFIXES = ("prompt:", "reminder:", "checkin:", "missed:")


@dataclass
class PlanPass:
    """What the running-circle planners read in one planning pass (one program, one tick), each loaded once."""

    pc: PlanContext
    circles: list[Circle]
    keys: set[str]  # idempotency keys of this program's running-circle deliveries planned before this pass
    _runs: dict[int, CircleRun] = field(default_factory=dict)

    async def run(self, circle: Circle) -> CircleRun:
        """Members and enrollments only when a planner has something to queue for the circle."""
        if circle.id not in self._runs:
            self._runs[circle.id or 0] = await load_circle(self.pc, circle, self.pc.program)
        return self._runs[circle.id or 0]


async def planning_pass(pc: PlanContext) -> PlanPass:
    # The scheduler hands every planner the same PlanContext for a program and tick: keep the loads on it
    # (when it cannot hold them, each planner simply loads its own).
    holder: dict[str, object] = getattr(pc, "__dict__", {})
    memo = holder.get("_running_pass")
    if not isinstance(memo, PlanPass):
        circles = await active_circles(pc, pc.program)
        keys = await pc.uow.outbox.planned_keys(program_id=pc.program.id or 0,
                                                prefixes=PREFIXES) if circles else set()
        memo = PlanPass(pc=pc, circles=circles, keys=keys)
        holder["_running_pass"] = memo
    return memo


def any_open(now: datetime, windows: list[tuple[datetime, datetime]]) -> bool:
    """Planners do nothing (not even noting stale items) unless one of their windows is open: most ticks."""
    return any(due <= now < stale for due, stale in windows)


def due_state(now: datetime, *, due: datetime, stale: datetime | None) -> DueState:
    if now < due:
        return "early"
    if stale is not None and now >= stale:
        return "stale"
    return "due"
